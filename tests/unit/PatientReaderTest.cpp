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
  // Refused, but written as a number: too large, not "not a number".
  EXPECT_TRUE(isDecimalSyntax("123456789012345678901234567890"));
  EXPECT_TRUE(isDecimalSyntax("-14.0000000000000000000000001"));
  EXPECT_TRUE(isDecimalSyntax("1e400"));
  for (const char *bad : {"", "1.", ".5", "1e", "abc", "1.5.2", "--1", "1/3", "14 kg"}) EXPECT_FALSE(isDecimalSyntax(bad)) << bad;
}

TEST(PatientReader, TooManyDigitsIsTooLargeNotNotANumber) {
  for (const char *value : {"\"14.0000000000000000000000001 kg\"", "\"123456789012345678901 g\""}) {
    auto errors = errorsOf(with("weight", value));
    ASSERT_EQ(errors.size(), 1u) << value;
    EXPECT_EQ(errors[0].kind, PatientError::Kind::TooLarge) << value;
    EXPECT_NE(errors[0].message.find("' is too large or too precise for exact arithmetic (up to 18 digits)"), std::string::npos)
        << errors[0].message;
  }
  // Not a number at all: still NOT_A_NUMBER.
  auto errors = errorsOf(with("weight", "\"14.0.1 kg\""));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].kind, PatientError::Kind::NotANumber);
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

// ------------------------------------------------------------------ units beyond the named ones

/// A catalogue like stdlib.units' (carepath/Units.h composes from it).
std::vector<UnitSpec> clinicalUnits() {
  return {{"mg", 1, "mass", 0, "mg"},         {"mcg", Rational(1, 1000), "mass", 0, "ug"},
          {"g", 1000, "mass", 0, "g"},        {"kg", kKg, "mass", 0, "kg"},
          {"mL", 1, "volume", 0, "mL"},       {"dL", 100, "volume", 0, "dL"},
          {"L", 1000, "volume", 0, "L"},      {"mmol", 1, "amount", 0, "mmol"},
          {"h", 1, "duration", 0, "h"},       {"day", 24, "duration", 0, "d"},
          {"K", 1, "temperature", 0, "K"},    {"degC", 1, "temperature", Rational(5463, 20), "Cel"},
          {"degF", Rational(5, 9), "temperature", Rational(45967, 180), "[degF]"}};
}

InputSpec quantity(const std::string &name, const std::string &dim, std::vector<UnitSpec> units, Rational lo, Rational hi,
                   const std::string &display) {
  InputSpec s;
  s.name = name;
  s.kind = InputSpec::Kind::Number;
  s.dimension = dim;
  s.units = std::move(units);
  s.lo = lo;
  s.hi = hi;
  s.displayUnit = display;
  return s;
}

std::vector<InputSpec> clinicalSpecs() {
  // CRP declared in mg/L (0 .. 500 mg/L; canonical mg/mL).
  InputSpec crp = quantity("crp", "mass/volume", {{"mg/L", Rational(1, 1000), "mass/volume", 0, "mg/L"}}, 0,
                           Rational(1, 2), "mg/L");
  // Glucose in mg/dL, of a substance of molar mass 180.156 g/mol.
  InputSpec glucose = quantity("glucose", "mass/volume", {{"mg/dL", Rational(1, 100), "mass/volume", 0, "mg/dL"}}, 0,
                               20, "mg/dL");
  glucose.substance = "glucose";
  glucose.conversions = {{"mass", "amount", Rational(45039, 250)}};
  // Temperature in 30 degC .. 45 degC (canonical K).
  std::vector<UnitSpec> all = clinicalUnits();
  InputSpec temp = quantity("temp", "temperature", {all[10], all[11], all[12]}, Rational(6063, 20),
                            Rational(6363, 20), "degC");
  return {crp, glucose, temp};
}

std::optional<std::vector<PatientValue>> readClinical(const std::string &json, std::vector<PatientError> &errors) {
  return readPatient(clinicalSpecs(), json, errors, clinicalUnits());
}

std::string clinical(const std::string &crp, const std::string &glucose, const std::string &temp) {
  return R"({"crp": )" + crp + R"(, "glucose": )" + glucose + R"(, "temp": )" + temp + "}";
}

TEST(PatientReaderUnits, EveryUnitOfTheDimensionConvertsExactly) {
  struct Case {
    std::string crp, glucose, temp;
    Rational crpMgPerMl, glucoseMgPerMl, tempK;
  };
  std::vector<Case> cases = {
      // The unit of the range, and the same values in other units.
      {R"("30 mg/L")", R"("99 mg/dL")", R"("38.5 degC")", Rational(3, 100), Rational(99, 100), Rational(31165, 100)},
      // mg/dL for an input declared in mg/L: 3 mg/dL is 30 mg/L, not 3.
      {R"("3.0 mg/dL")", R"("990 mg/L")", R"("101.3 degF")", Rational(3, 100), Rational(99, 100),
       (Rational(1013, 10) - 32) * Rational(5, 9) + Rational(5463, 20)},
      // UCUM codes, blanks around '/', the object form.
      {R"("30000 ug / L")", R"({"value": 0.99, "unit": "g/L"})", R"("311.65 K")", Rational(3, 100), Rational(99, 100),
       Rational(31165, 100)},
      // A glucose in mmol/L converts through the molar mass: 5.5 mmol/L is
      // 5.5 * 180.156 mg/L.
      {R"("0.03 g/L")", R"("5.5 mmol/L")", R"("38.5 Cel")", Rational(3, 100), Rational(11, 2) * Rational(45039, 250) / 1000,
       Rational(31165, 100)},
  };
  for (const Case &c : cases) {
    std::vector<PatientError> errors;
    auto values = readClinical(clinical(c.crp, c.glucose, c.temp), errors);
    ASSERT_TRUE(values) << c.crp << " " << c.glucose << " " << c.temp << ": " << (errors.empty() ? "" : errors[0].message);
    EXPECT_EQ((*values)[0].number, c.crpMgPerMl) << c.crp;
    EXPECT_EQ((*values)[1].number, c.glucoseMgPerMl) << c.glucose;
    EXPECT_EQ((*values)[2].number, c.tempK) << c.temp;
  }
}

std::string clinicalError(const std::string &json) {
  std::vector<PatientError> errors;
  auto values = readClinical(json, errors);
  EXPECT_FALSE(values) << json;
  EXPECT_EQ(errors.size(), 1u) << json;
  return errors.empty() ? "" : errors[0].message;
}

TEST(PatientReaderUnits, WrongUnitsAreStillRefused) {
  const std::string crp = R"("30 mg/L")", glucose = R"("99 mg/dL")", temp = R"("38 degC")";
  EXPECT_EQ(clinicalError(clinical(R"("3 mmol/L")", glucose, temp)),
            "input 'crp' is a mass/volume, but 'mmol/L' is an amount/volume unit");
  EXPECT_EQ(clinicalError(clinical(crp, R"("5.5 mmol/kg")", temp)),
            "input 'glucose' is a mass/volume of glucose, but 'mmol/kg' is an amount/mass unit");
  EXPECT_EQ(clinicalError(clinical(R"("3 mg/xL")", glucose, temp)),
            "input 'crp': unknown unit 'xL' in 'mg/xL'; units of mass/volume: mg/L");
  // No guess that changes the magnitude; only letter case or a plural.
  EXPECT_EQ(clinicalError(clinical(R"("3 mg/dl")", glucose, temp)),
            "input 'crp': unknown unit 'dl' in 'mg/dl' (did you mean 'dL'?); units of mass/volume: mg/L");
  EXPECT_EQ(clinicalError(clinical(R"("3 mg/")", glucose, temp)),
            "input 'crp': unknown unit 'mg/'; units of mass/volume: mg/L");
  EXPECT_EQ(clinicalError(clinical(crp, glucose, R"("38 degC/h")")),
            "input 'temp': 'degC' is an affine unit (its zero is shifted) and cannot be part of the compound unit 'degC/h'");
  // The range is shown in the unit it was written in, affine or not.
  EXPECT_EQ(clinicalError(clinical(crp, glucose, R"("114 degF")")),
            "input 'temp' = 114 degF is outside its range 30 degC .. 45 degC");
  EXPECT_EQ(clinicalError(clinical(R"("51 mg/dL")", glucose, temp)),
            "input 'crp' = 51 mg/dL is outside its range 0 mg/L .. 500 mg/L");
}

TEST(PatientReaderUnits, FormatQuantityOfAnAffineUnit) {
  UnitSpec degC{"degC", 1, "temperature", Rational(5463, 20), "Cel"};
  EXPECT_EQ(formatQuantity(Rational(31165, 100), &degC), "38.5 degC");
  EXPECT_EQ(formatQuantity(Rational(0), &degC), "-273.15 degC");
}

}  // namespace

// A `string` input takes any JSON string (an open set of values); a plain
// `number` a JSON number or a decimal string, fractions included.
TEST(PatientReader, StringsAndPlainNumbers) {
  InputSpec region;
  region.name = "region";
  region.kind = InputSpec::Kind::String;
  InputSpec home = region;
  home.name = "home";
  home.optional = true;
  InputSpec ratio;
  ratio.name = "ratio";
  ratio.kind = InputSpec::Kind::Number;
  ratio.lo = 0;
  ratio.hi = Rational(3, 2);
  std::vector<InputSpec> s = {region, home, ratio};
  std::vector<PatientError> errors;
  auto v = readPatient(s, R"({"region": "a \"b\" é", "ratio": "0.25"})", errors);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ((*v)[0].text, "a \"b\" \xc3\xa9");
  EXPECT_TRUE((*v)[1].missing);
  EXPECT_EQ((*v)[2].number, Rational(1, 4));
  v = readPatient(s, R"({"region": "", "home": "Mars", "ratio": 1.5})", errors);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ((*v)[0].text, "");
  EXPECT_EQ((*v)[1].text, "Mars");
  EXPECT_EQ((*v)[2].number, Rational(3, 2));
  v = readPatient(s, R"({"region": 5, "ratio": "1.75"})", errors);
  EXPECT_FALSE(v.has_value());
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].message, "input 'region' must be a string, got a number");
  EXPECT_EQ(errors[1].message, "input 'ratio' = 1.75 is outside its range 0 .. 1.5");
}
