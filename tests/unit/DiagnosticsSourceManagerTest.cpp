// SourceManager: byte offsets to line and column, line text, slices.
#include "basic/SourceManager.h"

#include <gtest/gtest.h>

using namespace carepath;

TEST(DiagnosticsSourceManager, MapsOffsetsToLinesAndColumns) {
  SourceManager sm;
  FileId f = sm.addBuffer("a.care", "ab\ncd\n\nxyz");
  EXPECT_EQ(sm.lineColumn(f, 0).line, 1u);
  EXPECT_EQ(sm.lineColumn(f, 0).column, 1u);
  EXPECT_EQ(sm.lineColumn(f, 2).column, 3u);  // the newline itself belongs to line 1
  EXPECT_EQ(sm.lineColumn(f, 3).line, 2u);
  EXPECT_EQ(sm.lineColumn(f, 3).column, 1u);
  EXPECT_EQ(sm.lineColumn(f, 6).line, 3u);  // empty line
  EXPECT_EQ(sm.lineColumn(f, 8).line, 4u);
  EXPECT_EQ(sm.lineColumn(f, 8).column, 2u);
  // Past the end clamps to the end of the text.
  EXPECT_EQ(sm.lineColumn(f, 1000).line, 4u);
  EXPECT_EQ(sm.lineColumn(f, 1000).column, 4u);
}

TEST(DiagnosticsSourceManager, ReturnsLineTextWithoutNewline) {
  SourceManager sm;
  FileId f = sm.addBuffer("a.care", "first\r\nsecond\n");
  EXPECT_EQ(sm.lineText(f, 1), "first");
  EXPECT_EQ(sm.lineText(f, 2), "second");
  EXPECT_EQ(sm.lineText(f, 3), "");
  EXPECT_EQ(sm.lineText(f, 0), "");
  EXPECT_EQ(sm.lineText(f, 99), "");
}

TEST(DiagnosticsSourceManager, ColumnsCountBytes) {
  SourceManager sm;
  FileId f = sm.addBuffer("a.care", "caf\xC3\xA9 x");
  EXPECT_EQ(sm.lineColumn(f, 6).column, 7u);  // 'x' after a two-byte character
}

TEST(DiagnosticsSourceManager, SlicesRangesAndKeepsFilesApart) {
  SourceManager sm;
  FileId a = sm.addBuffer("a.care", "hello world");
  FileId b = sm.addBuffer("b.care", "other");
  EXPECT_NE(a, b);
  EXPECT_EQ(sm.slice({a, 6, 11}), "world");
  EXPECT_EQ(sm.slice({b, 0, 2}), "ot");
  EXPECT_EQ(sm.slice({a, 9, 50}), "ld");
  EXPECT_EQ(sm.slice({}), "");
  EXPECT_EQ(sm.name(b), "b.care");
}

TEST(DiagnosticsSourceManager, CoverJoinsRanges) {
  SourceRange r = SourceRange::cover({0, 5, 8}, {0, 2, 4});
  EXPECT_EQ(r.begin, 2u);
  EXPECT_EQ(r.end, 8u);
  EXPECT_EQ(SourceRange::cover({}, {0, 1, 2}), (SourceRange{0, 1, 2}));
}
