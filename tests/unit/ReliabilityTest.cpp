// Reliability: the limits of the in-memory front-end entry point the fuzz
// targets use, and atomic writes that leave nothing behind on failure.
#include <gtest/gtest.h>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "Frontend.h"
#include "basic/AtomicFile.h"
#include "parse/ParseFile.h"

using namespace carepath;

namespace {

std::vector<std::string> listFolder(const std::string &dir) {
  std::vector<std::string> names;
  if (DIR *d = ::opendir(dir.c_str())) {
    while (dirent *e = ::readdir(d))
      if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") names.push_back(e->d_name);
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string tempFolder() {
  std::string tmpl = ::testing::TempDir() + "carepath-rel-XXXXXX";
  if (!::mkdtemp(tmpl.data())) ADD_FAILURE() << "mkdtemp failed";
  return tmpl;
}

std::string readAll(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST(ReliabilityFrontend, BufferAboveSourceLimitIsRefusedWithoutParsing) {
  SourceManager sources;
  DiagnosticEngine diags(sources);
  std::string text(SourceManager::kMaxFileSize + 1, ' ');
  FrontendResult r = runFrontendOnBuffer("big.care", std::move(text), sources, diags, FrontendOptions{});
  EXPECT_FALSE(r.protocol);
  // Only an empty placeholder is registered, so the error has a file:1:1
  // location; the text itself is never kept or parsed.
  ASSERT_EQ(sources.fileCount(), 1u);
  EXPECT_TRUE(sources.text(0).empty());
  ASSERT_EQ(diags.errorCount(), 1u);
  EXPECT_EQ(diags.sorted().front()->range.file, 0u);
  EXPECT_STREQ(diags.sorted().front()->code(), "cannot-read-file");
  EXPECT_NE(diags.sorted().front()->message.find("too large"), std::string::npos);
}

TEST(ReliabilityFrontend, DeepNestingIsOneLocatedError) {
  SourceManager sources;
  DiagnosticEngine diags(sources);
  std::string text = "protocol t version \"1\" {\n  population " + std::string(100000, '(') + "true" +
                     std::string(100000, ')') + "\n}\n";
  FrontendResult r = runFrontendOnBuffer("deep.care", std::move(text), sources, diags, FrontendOptions{});
  EXPECT_FALSE(r.protocol);
  ASSERT_EQ(diags.errorCount(), 1u);
  const Diagnostic &d = *diags.sorted().front();
  EXPECT_STREQ(d.code(), "nesting-too-deep");
  ASSERT_TRUE(d.range.valid());
  EXPECT_EQ(sources.begin(d.range).line, 2u);
  // The header's `{` is level 1, so the 200th `(` (from column 14) is level 201.
  EXPECT_EQ(sources.begin(d.range).column, 13u + parse::kMaxNestingDepth);
}

TEST(ReliabilityFrontend, ErrorLimitStopsReporting) {
  SourceManager sources;
  DiagnosticEngine diags(sources);
  diags.setErrorLimit(5);
  std::string text = "protocol t version \"1\" {\n}\n";
  for (int i = 0; i < 200; ++i) text += "@\n";
  runFrontendOnBuffer("many.care", std::move(text), sources, diags, FrontendOptions{});
  EXPECT_TRUE(diags.tooManyErrors());
  EXPECT_LE(diags.sorted().size(), 6u);  // five errors and the "too many errors" one
}

TEST(ReliabilityAtomicFile, FailureInMissingFolderLeavesNothing) {
  std::string dir = tempFolder();
  std::string error;
  EXPECT_FALSE(writeFileAtomically(dir + "/missing/out.json", "{}", error));
  EXPECT_NE(error.find("cannot write '" + dir + "/missing/out.json'"), std::string::npos) << error;
  EXPECT_TRUE(listFolder(dir).empty());
  ::rmdir(dir.c_str());
}

TEST(ReliabilityAtomicFile, DirectoryDestinationIsRefusedAndKept) {
  std::string dir = tempFolder();
  ASSERT_EQ(::mkdir((dir + "/out.json").c_str(), 0755), 0);
  std::string error;
  EXPECT_FALSE(writeFileAtomically(dir + "/out.json", "{}", error));
  EXPECT_NE(error.find("it is a directory"), std::string::npos) << error;
  EXPECT_EQ(listFolder(dir), std::vector<std::string>{"out.json"});
  ::rmdir((dir + "/out.json").c_str());
  ::rmdir(dir.c_str());
}

TEST(ReliabilityAtomicFile, ReplacesWholeFileAndLeavesNoTemporary) {
  std::string dir = tempFolder();
  std::string path = dir + "/out.json", error;
  ASSERT_TRUE(writeFileAtomically(path, std::string(100000, 'a'), error)) << error;
  ASSERT_TRUE(writeFileAtomically(path, "short", error)) << error;
  EXPECT_EQ(readAll(path), "short");  // replaced, not overwritten in place
  EXPECT_EQ(listFolder(dir), std::vector<std::string>{"out.json"});
  ::unlink(path.c_str());
  ::rmdir(dir.c_str());
}
