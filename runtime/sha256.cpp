#include "runtime/sha256.hpp"
// placeholder: being written
