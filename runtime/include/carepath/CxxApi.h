// What the runtime's C++ API (carepath/Table.h, carepath/Patient.h) needs
// from its consumer, stated where a build without it stops: C++20
// (std::span, <=>) and a 128-bit integer (carepath/Rational.h computes
// exactly in __int128: GCC and Clang). Through find_package(carepath),
// carepath::runtime declares C++20 itself. From an older standard, or
// another compiler, use the C API (carepath/carepath.h, libcarepath.so).
#pragma once

#if !defined(__cplusplus) || __cplusplus < 202002L
#error "carepath's C++ API (carepath/Table.h) needs C++20; from C or an older C++ use the C API, carepath/carepath.h"
#endif
#if !defined(__SIZEOF_INT128__)
#error "carepath's C++ API needs __int128 (GCC or Clang); use the C API, carepath/carepath.h"
#endif
