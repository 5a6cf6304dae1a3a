// The language server's building blocks: UTF-16 positions, file URIs,
// message framing, and the server answering a whole session in memory.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <sstream>

#include "lsp/JsonRpc.h"
#include "lsp/Positions.h"
#include "lsp/Server.h"

namespace carepath::lsp {
namespace {

TEST(LspPositions, Utf16UnitsBothWays) {
  // "é" is 2 bytes and 1 unit; "🩺" 4 bytes and 2 units (a surrogate pair).
  std::string text = "ab\né x\n🩺 y\r\nz";
  LineIndex lines(text);
  uint32_t x = static_cast<uint32_t>(text.find('x'));
  uint32_t y = static_cast<uint32_t>(text.find('y'));
  EXPECT_EQ(lines.position(x).line, 1u);
  EXPECT_EQ(lines.position(x).character, 2u);
  EXPECT_EQ(lines.position(y).line, 2u);
  EXPECT_EQ(lines.position(y).character, 3u);
  EXPECT_EQ(lines.offset({1, 2}), x);
  EXPECT_EQ(lines.offset({2, 3}), y);
  // Past the end of a line (before its \r\n) and of the text: clamped.
  EXPECT_EQ(lines.offset({2, 99}), static_cast<uint32_t>(text.find('\r')));
  EXPECT_EQ(lines.offset({99, 0}), static_cast<uint32_t>(text.size()));
  // Ill-formed UTF-8 counts one unit a byte, never reads past the text.
  std::string bad = "\xff\xfe" "a";
  EXPECT_EQ(LineIndex(bad).position(2).character, 2u);
  EXPECT_EQ(LineIndex(bad).offset({0, 1}), 1u);
}

TEST(LspPositions, FileUris) {
  EXPECT_EQ(uriToPath("file:///a/b%20c.care"), "/a/b c.care");
  EXPECT_EQ(uriToPath("file://host/a.care"), "/a.care");
  EXPECT_EQ(uriToPath("untitled:Untitled-1"), "");
  EXPECT_EQ(uriToPath("file:///a%2"), "/a%2");  // a truncated escape is kept as written
  EXPECT_EQ(pathToUri("/a/b c#.care"), "file:///a/b%20c%23.care");
  EXPECT_EQ(uriToPath(pathToUri("/tmp/é.care")), "/tmp/é.care");
}

TEST(LspJsonRpc, Framing) {
  std::istringstream in("Content-Length: 2\r\nContent-Type: x\r\n\r\n{}"
                        "content-length:3\n\n[1]"
                        "Content-Length: x\r\n\r\n"
                        "Content-Length: 99\r\n\r\n{}");
  Incoming a = readMessage(in);
  EXPECT_EQ(a.status, Incoming::Status::Message);
  EXPECT_EQ(a.body, "{}");
  Incoming b = readMessage(in);
  EXPECT_EQ(b.status, Incoming::Status::Message);
  EXPECT_EQ(b.body, "[1]");
  EXPECT_EQ(readMessage(in).status, Incoming::Status::BadFrame);
  Incoming d = readMessage(in);
  EXPECT_EQ(d.status, Incoming::Status::BadFrame);
  EXPECT_NE(d.error.find("ended inside a message body"), std::string::npos);
  EXPECT_EQ(readMessage(in).status, Incoming::Status::EndOfInput);

  std::ostringstream out;
  writeMessage(out, json{{"a", "\xff"}});  // invalid UTF-8 is replaced, not thrown
  EXPECT_EQ(out.str().rfind("Content-Length: ", 0), 0u);
  EXPECT_NE(out.str().find("\r\n\r\n{\"a\":"), std::string::npos);
}

TEST(LspServer, DiagnosticsHoverAndErrors) {
  Server server({});
  auto reply = [&](json m) { return server.handle(m); };
  // Before initialize.
  auto r = reply({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "textDocument/hover"}, {"params", json::object()}});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["error"]["code"], kServerNotInitialized);
  r = reply({{"jsonrpc", "2.0"}, {"id", 2}, {"method", "initialize"}, {"params", json::object()}});
  EXPECT_TRUE(r[0]["result"]["capabilities"]["hoverProvider"]);
  std::string text = "protocol p version \"1\" {\n  title \"t\"\n}\ninput fever : bool\ndefine sick = fever and cough\n";
  r = reply({{"jsonrpc", "2.0"},
             {"method", "textDocument/didOpen"},
             {"params", {{"textDocument", {{"uri", "file:///t.care"}, {"version", 1}, {"text", text}}}}}});
  ASSERT_EQ(r.size(), 1u);
  const json &diags = r[0]["params"]["diagnostics"];
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0]["code"], "unknown-name");
  EXPECT_EQ(diags[0]["range"]["start"]["line"], 4);
  EXPECT_EQ(diags[0]["range"]["start"]["character"], 24);
  // Hover works on what resolved.
  r = reply({{"jsonrpc", "2.0"},
             {"id", 3},
             {"method", "textDocument/hover"},
             {"params", {{"textDocument", {{"uri", "file:///t.care"}}}, {"position", {{"line", 4}, {"character", 15}}}}}});
  ASSERT_TRUE(r[0]["result"].is_object()) << r[0].dump();
  EXPECT_NE(r[0]["result"]["contents"]["value"].get<std::string>().find("**input** `fever`"), std::string::npos);
  // Bad params, unknown methods.
  r = reply({{"jsonrpc", "2.0"}, {"id", 4}, {"method", "textDocument/hover"}, {"params", {{"textDocument", 5}}}});
  EXPECT_EQ(r[0]["error"]["code"], kInvalidParams);
  r = reply({{"jsonrpc", "2.0"}, {"id", 5}, {"method", "no/such"}});
  EXPECT_EQ(r[0]["error"]["code"], kMethodNotFound);
  EXPECT_TRUE(reply({{"jsonrpc", "2.0"}, {"method", "$/no/such"}}).empty());
}

// A coded input's hover lists its codes (docs/language.md, "Terminology codes").
TEST(LspServer, HoverShowsCodes) {
  Server server({});
  auto reply = [&](json m) { return server.handle(m); };
  reply({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"}, {"params", json::object()}});
  std::string text = "protocol p version \"1\" {\n  title \"t\"\n}\nsource S \"s\"\ninput heavy : bool\n"
                     "code input heavy = loinc \"29463-7\" \"Body weight\" [S]\ndefine big = heavy\n";
  auto r = reply({{"jsonrpc", "2.0"},
                  {"method", "textDocument/didOpen"},
                  {"params", {{"textDocument", {{"uri", "file:///c.care"}, {"version", 1}, {"text", text}}}}}});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0]["params"]["diagnostics"].empty()) << r[0].dump();
  r = reply({{"jsonrpc", "2.0"},
             {"id", 2},
             {"method", "textDocument/hover"},
             {"params", {{"textDocument", {{"uri", "file:///c.care"}}}, {"position", {{"line", 6}, {"character", 14}}}}}});
  ASSERT_TRUE(r[0]["result"].is_object()) << r[0].dump();
  EXPECT_NE(r[0]["result"]["contents"]["value"].get<std::string>().find("**codes**: LOINC `29463-7` Body weight"),
            std::string::npos)
      << r[0].dump();
}

TEST(LspServer, FixItsAreQuickFixes) {
  Server server({});
  auto reply = [&](json m) { return server.handle(m); };
  reply({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"}, {"params", json::object()}});
  auto open = [&](const std::string &uri, const std::string &text) {
    auto r = reply({{"jsonrpc", "2.0"},
                    {"method", "textDocument/didOpen"},
                    {"params", {{"textDocument", {{"uri", uri}, {"version", 1}, {"text", text}}}}}});
    return r.at(0)["params"]["diagnostics"];
  };
  auto actions = [&](const std::string &uri, const json &diagnostics) {
    auto r = reply({{"jsonrpc", "2.0"},
                    {"id", 2},
                    {"method", "textDocument/codeAction"},
                    {"params",
                     {{"textDocument", {{"uri", uri}}},
                      {"range", diagnostics[0]["range"]},
                      {"context", {{"diagnostics", diagnostics}}}}}});
    return r.at(0)["result"];
  };
  // A syntax error: 'min' is not a unit; the fix writes 'minutes'.
  json d = open("file:///m.care", "protocol p version \"1\" {\n  title \"t\"\n}\nuse stdlib.units\n"
                                  "input elapsed : duration in 0 minutes .. 2 h\ndefine early = elapsed < 5 min\n");
  ASSERT_EQ(d.size(), 1u) << d.dump();
  json a = actions("file:///m.care", d);
  ASSERT_EQ(a.size(), 1u) << a.dump();
  EXPECT_EQ(a[0]["kind"], "quickfix");
  EXPECT_EQ(a[0]["title"], "Fix: write 'minutes'");
  const json &edits = a[0]["edit"]["changes"]["file:///m.care"];
  ASSERT_EQ(edits.size(), 1u);
  EXPECT_EQ(edits[0]["newText"], "minutes");
  EXPECT_EQ(edits[0]["range"]["start"]["line"], 5);
  EXPECT_EQ(edits[0]["range"]["start"]["character"], 27);
  EXPECT_EQ(edits[0]["range"]["end"]["character"], 30);
  // A misspelt name used twice: one error, and its fix renames both uses.
  d = open("file:///n.care", "protocol p version \"1\" {\n  title \"t\"\n}\ninput fever : bool\n"
                             "define a = fevr\ndefine b = not fevr\n");
  ASSERT_EQ(d.size(), 1u) << d.dump();
  a = actions("file:///n.care", d);
  ASSERT_EQ(a.size(), 1u) << a.dump();
  const json &renames = a[0]["edit"]["changes"]["file:///n.care"];
  ASSERT_EQ(renames.size(), 2u);
  EXPECT_EQ(renames[0]["newText"], "fever");
  EXPECT_EQ(renames[1]["newText"], "fever");
  EXPECT_EQ(renames[1]["range"]["start"]["line"], 5);
  // No fix-it, no quick fix.
  d = open("file:///o.care", "protocol p version \"1\" {\n  title \"t\"\n}\ndefine a = zzzzzz\n");
  ASSERT_EQ(d.size(), 1u) << d.dump();
  EXPECT_TRUE(actions("file:///o.care", d).empty());
}

// Verification on save runs on the worker: didSave answers at once, the
// result arrives through the notifier; a change made meanwhile drops it,
// and a save of the same analysis is verified once.
TEST(LspServer, VerificationOnSaveOffTheRequestThread) {
  ServerOptions options;
  options.verifyDelayMs = 200;  // a change is handled well within this
  Server server(options);
  std::mutex m;
  std::vector<json> published;
  server.setNotify([&](const json &n) {
    std::lock_guard<std::mutex> hold(m);
    published.push_back(n);
  });
  auto taken = [&] {
    std::lock_guard<std::mutex> hold(m);
    std::vector<json> out = std::move(published);
    published.clear();
    return out;
  };
  auto reply = [&](json msg) { return server.handle(msg); };
  reply({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"}, {"params", json::object()}});
  std::string text = "protocol p version \"1\" {\n  title \"t\"\n}\ninput sick : bool\ninput old : bool\n"
                     "verify {\n  never sick and old\n}\n";
  json td = {{"uri", "file:///v.care"}};
  auto r = reply({{"jsonrpc", "2.0"},
                  {"method", "textDocument/didOpen"},
                  {"params", {{"textDocument", {{"uri", "file:///v.care"}, {"version", 1}, {"text", text}}}}}});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0]["params"]["diagnostics"].empty()) << r[0].dump();
  auto save = [&] { return reply({{"jsonrpc", "2.0"}, {"method", "textDocument/didSave"}, {"params", {{"textDocument", td}}}}); };
  auto change = [&](int version, const std::string &t) {
    return reply({{"jsonrpc", "2.0"},
                  {"method", "textDocument/didChange"},
                  {"params", {{"textDocument", {{"uri", "file:///v.care"}, {"version", version}}},
                              {"contentChanges", json::array({{{"text", t}}})}}}});
  };
  // The save publishes nothing itself; the verification does, once.
  EXPECT_TRUE(save().empty());
  EXPECT_TRUE(save().empty());  // the same analysis: not verified twice
  server.waitForVerification();
  std::vector<json> got = taken();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["params"]["version"], 1);
  ASSERT_EQ(got[0]["params"]["diagnostics"].size(), 1u) << got[0].dump();
  EXPECT_EQ(got[0]["params"]["diagnostics"][0]["code"], "assertion");
  EXPECT_TRUE(save().empty());  // verified already
  server.waitForVerification();
  EXPECT_TRUE(taken().empty());
  // A change keeps the analysis' diagnostics only.
  r = change(2, text + "// a\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0]["params"]["diagnostics"].empty()) << r[0].dump();
  // A change during verification: the result is dropped, not published.
  save();
  r = change(3, text + "// b\n");
  EXPECT_TRUE(r[0]["params"]["diagnostics"].empty()) << r[0].dump();
  server.waitForVerification();
  EXPECT_TRUE(taken().empty());
  // A save then verifies the new text.
  save();
  server.waitForVerification();
  got = taken();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["params"]["version"], 3);
  // Closing drops what is queued or running for the document.
  save();
  change(4, text + "// c\n");
  save();
  reply({{"jsonrpc", "2.0"}, {"method", "textDocument/didClose"}, {"params", {{"textDocument", td}}}});
  server.waitForVerification();
  EXPECT_TRUE(taken().empty());
}

/// The diagnostics a server publishes for a file of the source tree when it
/// is opened and saved (verified on save).
json diagnosticsOnSave(const std::string &path) {
  ServerOptions options;
  options.stdlibDir = CAREPATH_SOURCE_DIR "/stdlib";
  Server server(options);
  std::mutex m;
  std::vector<json> published;
  server.setNotify([&](const json &n) {
    std::lock_guard<std::mutex> hold(m);
    published.push_back(n);
  });
  auto reply = [&](json msg) { return server.handle(msg); };
  reply({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"}, {"params", json::object()}});
  std::ifstream in(CAREPATH_SOURCE_DIR "/" + path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::string uri = "file://" CAREPATH_SOURCE_DIR "/" + path;
  auto r = reply({{"jsonrpc", "2.0"},
                  {"method", "textDocument/didOpen"},
                  {"params", {{"textDocument", {{"uri", uri}, {"version", 1}, {"text", text.str()}}}}}});
  EXPECT_EQ(r.size(), 1u);
  EXPECT_TRUE(r.empty() || r[0]["params"]["diagnostics"].empty()) << (r.empty() ? "" : r[0].dump());
  reply({{"jsonrpc", "2.0"}, {"method", "textDocument/didSave"}, {"params", {{"textDocument", {{"uri", uri}}}}}});
  server.waitForVerification();
  std::lock_guard<std::mutex> hold(m);
  EXPECT_EQ(published.size(), 1u);
  return published.empty() ? json::array() : published[0]["params"]["diagnostics"];
}

/// The last `records` + 1 related informations of `d` (after its notes)
/// are the records of its course, each named "KIND course, record K of N"
/// and located at `d`, then the counterexample.
void expectCourse(const json &d, const std::string &kind, int records) {
  const json &related = d["relatedInformation"];
  ASSERT_GT(related.size(), static_cast<size_t>(records)) << d.dump();
  const size_t first = related.size() - static_cast<size_t>(records) - 1;
  const std::string n = std::to_string(records + 1);
  const std::string heading = "the course from a fresh patient to it (" + std::to_string(records) + " records before the counterexample";
  for (int k = 0; k < records; ++k) {
    const json &step = related[first + static_cast<size_t>(k)];
    std::string message = step["message"];
    EXPECT_EQ(message.rfind(heading, 0), 0u) << message;
    EXPECT_NE(message.find("\n  example \"" + kind + " course, record " + std::to_string(k + 1) + " of " + n + "\" {"),
              std::string::npos)
        << message;
    for (int other = 0; other < records; ++other)  // one record each
      if (other != k) {
        EXPECT_EQ(message.find("record " + std::to_string(other + 1) + " of " + n), std::string::npos) << message;
      }
    EXPECT_EQ(step["location"]["range"], d["range"]);
  }
  std::string last = related.back()["message"];
  EXPECT_EQ(last.rfind("counterexample (paste into the protocol as an example):\n  example \"" + kind + " counterexample", 0), 0u)
      << last;
  // No earlier related information is a course's.
  for (size_t i = 0; i < first; ++i) EXPECT_EQ(related[i]["message"].get<std::string>().find("course"), std::string::npos);
}

// A dose envelope over the reachable course states says so in its hover, as
// `verify` marks it (tests/verify/good/course-structural.care: over every
// record the reliever's envelope reaches 2 g; over the reachable ones 0.5 g).
TEST(LspServer, HoverOfARestrictedEnvelopeSaysOverWhat) {
  ServerOptions options;
  options.stdlibDir = CAREPATH_SOURCE_DIR "/stdlib";
  Server server(options);
  server.setNotify([](const json &) {});
  auto reply = [&](json msg) { return server.handle(msg); };
  reply({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"}, {"params", json::object()}});
  const std::string path = "tests/verify/good/course-structural.care";
  std::ifstream in(CAREPATH_SOURCE_DIR "/" + path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::string uri = "file://" CAREPATH_SOURCE_DIR "/" + path;
  reply({{"jsonrpc", "2.0"},
         {"method", "textDocument/didOpen"},
         {"params", {{"textDocument", {{"uri", uri}, {"version", 1}, {"text", text.str()}}}}}});
  reply({{"jsonrpc", "2.0"}, {"method", "textDocument/didSave"}, {"params", {{"textDocument", {{"uri", uri}}}}}});
  server.waitForVerification();
  // The give's line, 0-based.
  std::string all = text.str();
  size_t at = all.find("give reliever");
  ASSERT_NE(at, std::string::npos);
  int line = static_cast<int>(std::count(all.begin(), all.begin() + static_cast<long>(at), '\n'));
  int column = static_cast<int>(at - all.rfind('\n', at) - 1);
  auto r = reply({{"jsonrpc", "2.0"},
                  {"id", 2},
                  {"method", "textDocument/hover"},
                  {"params", {{"textDocument", {{"uri", uri}}}, {"position", {{"line", line}, {"character", column + 2}}}}}});
  ASSERT_EQ(r.size(), 1u);
  ASSERT_TRUE(r[0]["result"].is_object()) << r[0].dump();
  std::string value = r[0]["result"]["contents"]["value"];
  EXPECT_NE(value.find("**dose envelope** of `reliever` at `care.first` over the course states of pathway 'care' "
                       "reachable from a fresh patient (per dose): least 0.5 g, greatest 0.5 g"),
            std::string::npos)
      << value;
}

// A refuted course property on save (docs/verifier.md, "Counterexample
// courses"): each record of its course is related information of its own,
// then the counterexample; the code action pastes the counterexample's
// block alone (not the course, not the headings between them).
TEST(LspServer, ACourseIsRelatedInformationRecordByRecord) {
  json diags = diagnosticsOnSave("tests/verify/bad/course-deadline.care");
  ASSERT_EQ(diags.size(), 1u) << diags.dump();
  const json &d = diags[0];
  EXPECT_EQ(d["code"], "deadline");
  ASSERT_EQ(d["relatedInformation"].size(), 3u) << d.dump();
  expectCourse(d, "deadline", 2);
  // The code action's block: the counterexample, as carepath verify prints it.
  const json &example = d["data"]["example"];
  ASSERT_EQ(example.size(), 5u) << d.dump();
  EXPECT_EQ(example[0], "example \"deadline counterexample: 0 years, 1 h\" {");
  EXPECT_EQ(example[1], "  given age = 0 years, not fever, presentation = 1 h, on_care");
  EXPECT_EQ(example[2], "  given care_first_state = failed, care_second_state = on");
  EXPECT_EQ(example[3], "  expect care.second");
  EXPECT_EQ(example[4], "}");
}

// So for a `never` and an action property over the course state.
TEST(LspServer, ACourseOfAPropertyOverTheCourseState) {
  json diags = diagnosticsOnSave("tests/verify/bad/course-properties.care");
  ASSERT_EQ(diags.size(), 2u) << diags.dump();
  EXPECT_EQ(diags[0]["code"], "assertion");
  expectCourse(diags[0], "assertion", 2);
  EXPECT_EQ(diags[1]["code"], "forbidden-action");
  expectCourse(diags[1], "forbidden-action", 2);
}

}  // namespace
}  // namespace carepath::lsp
