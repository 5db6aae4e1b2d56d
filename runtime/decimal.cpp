#include "runtime/decimal.hpp"
// placeholder: being written
