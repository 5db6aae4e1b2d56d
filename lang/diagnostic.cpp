#include "lang/diagnostic.hpp"
// placeholder: being written
