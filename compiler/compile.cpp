#include "compiler/compile.hpp"
// placeholder: being written
