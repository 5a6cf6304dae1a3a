// A compact table whose version byte says an older format is refused with
// that version named: the check each format bump pins (codes: 3,
// contraindications and plan units: 4; infusion rates and the dosing weight: 5;
// a course pathway's reachable states: 6). Version 7 is still read (an 8
// without the joint course states).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "carepath/Table.h"

inline void expectOlderCompactRefused(std::string bytes, char version) {
  bytes[8] = version;
  try {
    carepath::runtime::Table::loadCompact(bytes, {}, "t.ctab");
    FAIL() << "a version " << int(version) << " compact file was loaded";
  } catch (const carepath::runtime::LoadError &e) {
    EXPECT_EQ(e.kind, carepath::runtime::LoadError::Kind::Unsupported);
    std::string want = "compact format version " + std::to_string(int(version)) +
                       " is not supported by this runtime (it reads versions 7 to 8)";
    EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
  }
}
