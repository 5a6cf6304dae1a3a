#include "verifier/Verifier.h"
