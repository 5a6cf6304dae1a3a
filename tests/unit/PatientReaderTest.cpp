// The runtime's patient reader: exact numbers, every accepted form, and
// every error, each naming its input.
#include <gtest/gtest.h>

#include "carepath/Patient.h"

using namespace carepath;
using namespace carepath::runtime;

namespace {

const Rational kKg = 1000000;
const Rational kYear = 8766;

std::vector<UnitSpec> massUnits() { return {{"mg", 1, "mass"}, {"g", 1000, "mass"}, {"kg", kKg, "mass"}}; }

std::vector<InputSpec> specs() {
  InputSpec weight;
  weight.name = "weight";
  weight.kind = InputSpec::Kind::Number;
  weight.dimension = "mass";
  weight.units = massUnits();
  weight.lo = Rational(2) * kKg;
  weight.hi = Rational(150) * kKg;
  weight.displayUnit = "kg";

  InputSpec age;
  age.name = "age";
  age.kind = InputSpec::Kind::Number;
  age.dimension = "duration";
  age.units = {{"h", 1, "duration"}, {"year", kYear, "duration"}, {"years", kYear, "duration"}};
  age.lo = 0;
  age.hi = Rational(18) * kYear;
  age.displayUnit = "years";

  InputSpec fever;
  fever.name = "fever";
  fever.kind = InputSpec::Kind::Bool;

  InputSpec level;
  level.name = "consciousness";
  level.kind = InputSpec::Kind::Enum;
  level.members = {"alert", "altered", "coma"};

  InputSpec count;
  count.name = "count";
  count.kind = InputSpec::Kind::Number;
  count.integer = true;
  count.lo = 0;
  count.hi = 10;
  return {weight, age, fever, level, count};
}

const char *kGood = R"({"weight": "14 kg", "age": "3 years", "fever": true, "consciousness": "coma", "count": 2})";

/// Reads `json`; expects failure; returns the errors.
std::vector<PatientError> errorsOf(const std::string &json) {
  std::vector<PatientError> errors;
  auto values = readPatient(specs(), json, errors, {{"minute", Rational(1, 60), "duration"}});
  EXPECT_FALSE(values.has_value()) << json;
  return errors;
}

/// The single error for `json`, checked to concern `input`.
std::string oneError(const std::string &json, const std::string &input) {
  auto errors = errorsOf(json);
  EXPECT_EQ(errors.size(), 1u) << json;
  if (errors.empty()) return "";
  EXPECT_EQ(errors[0].input, input) << errors[0].message;
  return errors[0].message;
}

std::string with(const std::string &key, const std::string &value) {
  std::string json = kGood;
  size_t at = json.find("\"" + key + "\": ");
  size_t start = at + key.size() + 4;
  size_t end = json.find_first_of(",}", start);
  if (json[start] == '{') end = json.find('}', start) + 1;
  return json.substr(0, start) + value + json.substr(end);
}

TEST(PatientReader, ReadsEveryKind) {
  std::vector<PatientError> errors;
  auto v = readPatient(specs(), kGood, errors);
  ASSERT_TRUE(v) << errors[0].message;
  EXPECT_EQ((*v)[0].number, Rational(14) * kKg);
  EXPECT_EQ((*v)[1].number, Rational(3) * kYear);
  EXPECT_TRUE((*v)[2].boolean);
  EXPECT_EQ((*v)[3].member, 2);
  EXPECT_EQ((*v)[4].number, Rational(2));
  EXPECT_EQ((*v)[0].kind, InputSpec::Kind::Number);
  EXPECT_EQ((*v)[3].kind, InputSpec::Kind::Enum);
}

TEST(PatientReader, QuantityFormsAndExactNumbers) {
  struct Case {
    const char *value;
    Rational mg;
  } cases[] = {
      {R"("14.35 kg")", Rational(14350000)},
      {R"({"value": 14.35, "unit": "kg"})", Rational(14350000)},
      {R"({"value": 14, "unit": "kg"})", Rational(14) * kKg},
      {R"("14kg")", Rational(14) * kKg},
      {R"(" 14500 g ")", Rational(14500000)},
      {R"({"value": 1.45e1, "unit": "kg"})", Rational(14500000)},
      {R"("0.1e2 kg")", Rational(10) * kKg},
      // 10.1 is not a binary fraction: read from the text, it is exactly 101/10 kg.
      {R"({"value": 10.1, "unit": "kg"})", Rational(10100000)},
      {R"({"value": 2000.0001, "unit": "g"})", Rational(20000001, 10000) * 1000},
  };
  for (const Case &c : cases) {
    std::vector<PatientError> errors;
    auto v = readPatient(specs(), with("weight", c.value), errors);
    ASSERT_TRUE(v) << c.value << ": " << (errors.empty() ? "" : errors[0].message);
    EXPECT_EQ((*v)[0].number, c.mg) << c.value;
  }
}

TEST(PatientReader, ParseDecimalIsExact) {
  EXPECT_EQ(parseDecimal("0.1"), Rational(1, 10));
  EXPECT_EQ(parseDecimal("-2.50"), Rational(-5, 2));
  EXPECT_EQ(parseDecimal("1.5e3"), Rational(1500));
  EXPECT_EQ(parseDecimal("25E-2"), Rational(1, 4));
  EXPECT_FALSE(parseDecimal("1."));
  EXPECT_FALSE(parseDecimal(".5"));
  EXPECT_FALSE(parseDecimal("1e"));
  EXPECT_FALSE(parseDecimal("abc"));
  EXPECT_FALSE(parseDecimal("1e400"));
  EXPECT_FALSE(parseDecimal("123456789012345678901234567890"));
}

TEST(PatientReader, MissingInput) {
  std::string m = oneError(R"({"weight": "14 kg", "age": "3 years", "consciousness": "coma", "count": 2})", "fever");
  EXPECT_EQ(m, "input 'fever' is missing");
}

TEST(PatientReader, UnknownInputWithSuggestion) {
  std::string m = oneError(R"({"weight": "14 kg", "wieght": 3, "age": "3 years", "fever": true, "consciousness": "coma", "count": 2})",
                           "wieght");
  EXPECT_EQ(m, "unknown input 'wieght' (did you mean 'weight'?)");
}

TEST(PatientReader, GivenTwice) {
  std::string m = oneError(R"({"weight": "14 kg", "weight": "15 kg", "age": "3 years", "fever": true, "consciousness": "coma", "count": 2})",
                           "weight");
  EXPECT_EQ(m, "input 'weight' is given more than once");
}

TEST(PatientReader, WrongTypes) {
  EXPECT_EQ(oneError(with("fever", "\"yes\""), "fever"), "input 'fever' must be true or false, got a string");
  EXPECT_EQ(oneError(with("consciousness", "2"), "consciousness"),
            "input 'consciousness' must be one of alert, altered, coma (as a string), got a number");
  EXPECT_EQ(oneError(with("weight", "true"), "weight"),
            "input 'weight' must be a quantity such as \"14 kg\" or {\"value\": 14, \"unit\": \"kg\"}, got a boolean");
  EXPECT_EQ(oneError(with("count", "[1]"), "count"), "input 'count' must be a number, got an array");
  EXPECT_EQ(oneError(with("weight", "\"heavy\""), "weight"),
            "input 'weight': 'heavy' is not a number followed by a unit");
}

TEST(PatientReader, UnknownEnumMember) {
  EXPECT_EQ(oneError(with("consciousness", "\"comma\""), "consciousness"),
            "input 'consciousness' has no member 'comma' (did you mean 'coma'?); members: alert, altered, coma");
}

TEST(PatientReader, UnknownUnit) {
  EXPECT_EQ(oneError(with("weight", "\"14 kgs\""), "weight"),
            "input 'weight': unknown unit 'kgs' (did you mean 'kg'?); units of mass: mg, g, kg");
  EXPECT_EQ(oneError(with("count", "\"2 kg\""), "count"),
            "input 'count' is a plain number, but 'kg' is a mass unit");
}

TEST(PatientReader, UnitOfTheWrongDimension) {
  EXPECT_EQ(oneError(with("weight", "\"14 years\""), "weight"),
            "input 'weight' is a mass, but 'years' is a duration unit");
  // A unit known only from the catalogue passed in.
  EXPECT_EQ(oneError(with("weight", R"({"value": 14, "unit": "minute"})"), "weight"),
            "input 'weight' is a mass, but 'minute' is a duration unit");
}

TEST(PatientReader, QuantityNeedsAUnit) {
  EXPECT_EQ(oneError(with("weight", "14"), "weight"),
            "input 'weight' is a mass and needs a unit, e.g. \"14 kg\"");
  EXPECT_EQ(oneError(with("weight", R"({"value": 14})"), "weight"),
            "input 'weight' is a mass and needs a unit, e.g. \"14 kg\"");
}

TEST(PatientReader, MalformedQuantityObject) {
  EXPECT_EQ(oneError(with("weight", R"({"value": "14", "unit": "kg"})"), "weight"),
            "input 'weight': a quantity object needs a numeric \"value\"");
  EXPECT_EQ(oneError(with("weight", R"({"value": 14, "unit": 3})"), "weight"),
            "input 'weight': \"unit\" must be a string, got a number");
  EXPECT_EQ(oneError(with("weight", R"({"value": 14, "unit": "kg", "per": "day"})"), "weight"),
            "input 'weight': unexpected key 'per' (a quantity object has \"value\" and \"unit\")");
}

TEST(PatientReader, OutsideTheRangeSaysTheRangeInTheDisplayUnit) {
  EXPECT_EQ(oneError(with("weight", "\"151 kg\""), "weight"),
            "input 'weight' = 151 kg is outside its range 2 kg .. 150 kg");
  EXPECT_EQ(oneError(with("weight", "\"1999 g\""), "weight"),
            "input 'weight' = 1999 g is outside its range 2 kg .. 150 kg");
  EXPECT_EQ(oneError(with("age", "\"-1 h\""), "age"), "input 'age' = -1 h is outside its range 0 years .. 18 years");
  EXPECT_EQ(oneError(with("count", "11"), "count"), "input 'count' = 11 is outside its range 0 .. 10");
  // The ends are inclusive.
  std::vector<PatientError> errors;
  EXPECT_TRUE(readPatient(specs(), with("weight", "\"150 kg\""), errors));
  EXPECT_TRUE(readPatient(specs(), with("age", "\"0 h\""), errors));
  EXPECT_TRUE(errors.empty());
}

TEST(PatientReader, IntegerInputs) {
  EXPECT_EQ(oneError(with("count", "2.5"), "count"), "input 'count' must be a whole number, got 2.5");
  std::vector<PatientError> errors;
  auto v = readPatient(specs(), with("count", "2.0"), errors);
  ASSERT_TRUE(v);
  EXPECT_EQ((*v)[4].number, Rational(2));
}

TEST(PatientReader, MalformedJsonGivesLineAndColumn) {
  auto errors = errorsOf("{\n  \"weight\": \"14 kg\",\n  \"fever\": tru\n}");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].input, "");
  EXPECT_EQ(errors[0].message.rfind("malformed JSON at line 3, column ", 0), 0u) << errors[0].message;

  errors = errorsOf("");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message.rfind("malformed JSON at line 1, column 1", 0), 0u) << errors[0].message;

  errors = errorsOf(std::string(kGood) + " trailing");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message.rfind("malformed JSON", 0), 0u);
}

// A number beyond a double, in the runtime's own words (nlohmann's message
// "[json.exception.out_of_range.406] ..." used to be passed through).
TEST(PatientReader, NumberTooLargeForADouble) {
  auto errors = errorsOf("{\"weight\": {\"value\": 1e999, \"unit\": \"kg\"}}");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].input, "");
  EXPECT_EQ(errors[0].message, "malformed JSON at line 1, column 22: number '1e999' is too large");
  errors = errorsOf("5e8395");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "malformed JSON at line 1, column 1: number '5e8395' is too large");
}

TEST(PatientReader, TopLevelMustBeAnObject) {
  auto errors = errorsOf("[1, 2]");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "the patient must be a JSON object mapping input names to values, got an array");
  errors = errorsOf("\"14 kg\"");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "the patient must be a JSON object mapping input names to values, got a string");
}

TEST(PatientReader, AllErrorsAreCollected) {
  auto errors = errorsOf(R"({"weight": "14 h", "age": "30 years", "fever": 1, "consciousness": "comma", "extra": 1})");
  std::vector<std::string> inputs;
  for (const PatientError &e : errors) inputs.push_back(e.input);
  EXPECT_EQ(inputs, (std::vector<std::string>{"extra", "weight", "age", "fever", "consciousness", "count"}));
}

TEST(PatientReader, FormatQuantity) {
  UnitSpec kg{"kg", kKg, "mass"};
  EXPECT_EQ(formatQuantity(Rational(14350000), &kg), "14.35 kg");
  EXPECT_EQ(formatQuantity(Rational(1000, 3), nullptr), "333.333333 (exactly 1000/3)");
}

}  // namespace
