#include "runtime/vm.hpp"
// placeholder: being written
