// The unit algebra: exact conversions, composite units, dimensions.
#include <gtest/gtest.h>

#include "sema/UnitAlgebra.h"

using carepath::Rational;
using carepath::sema::UnitTable;

namespace {

/// The stdlib's units, declared as stdlib/units.care does.
UnitTable stdlibUnits() {
  UnitTable t;
  EXPECT_TRUE(t.addBase("mg", "mass"));
  EXPECT_TRUE(t.addScaled("mcg", Rational(1, 1000), {"mg"}));
  EXPECT_TRUE(t.addScaled("g", Rational(1000), {"mg"}));
  EXPECT_TRUE(t.addScaled("kg", Rational(1000), {"g"}));
  EXPECT_TRUE(t.addBase("mL", "volume"));
  EXPECT_TRUE(t.addScaled("L", Rational(1000), {"mL"}));
  EXPECT_TRUE(t.addBase("h", "duration"));
  EXPECT_TRUE(t.addScaled("minute", Rational(1, 60), {"h"}));
  EXPECT_TRUE(t.addScaled("day", Rational(24), {"h"}));
  EXPECT_TRUE(t.addScaled("year", Rational(8766), {"h"}));
  EXPECT_TRUE(t.addScaled("month", Rational(1, 12), {"year"}));
  EXPECT_TRUE(t.addBase("mmol", "amount"));
  return t;
}

TEST(UnitsAlgebraTest, ScaledUnitsConvertExactly) {
  UnitTable t = stdlibUnits();
  EXPECT_EQ(t.find("g")->factor, Rational(1000));
  EXPECT_EQ(t.find("kg")->factor, Rational(1000000));
  EXPECT_EQ(t.find("mcg")->factor, Rational(1, 1000));
  EXPECT_EQ(t.find("minute")->factor, Rational(1, 60));
  EXPECT_EQ(t.find("month")->factor, Rational(1461, 2));  // 730.5 h
  // 1 g == 1000 mg, exactly.
  EXPECT_EQ(Rational(1) * t.find("g")->factor, Rational(1000) * t.find("mg")->factor);
}

TEST(UnitsAlgebraTest, CompositeUnitsComposeDimensionsAndFactors) {
  UnitTable t = stdlibUnits();
  auto mgPerKg = t.compose({"mg", "kg"});
  ASSERT_TRUE(mgPerKg);
  EXPECT_EQ(mgPerKg->name, "mg/kg");
  EXPECT_TRUE(mgPerKg->dim.dimensionless());  // mass / mass cancels
  EXPECT_EQ(mgPerKg->factor, Rational(1, 1000000));
  auto perDay = t.compose({"mg", "kg", "day"});
  ASSERT_TRUE(perDay);
  EXPECT_EQ(perDay->dim.str(), "1/duration");
  EXPECT_EQ(perDay->factor, Rational(1, 24000000));
  auto mlPerH = t.compose({"mL", "h"});
  EXPECT_EQ(mlPerH->dim.str(), "volume/duration");
  EXPECT_FALSE(t.compose({"mg", "furlong"}));
}

TEST(UnitsAlgebraTest, DoseFromPerWeightRateIsExact) {
  UnitTable t = stdlibUnits();
  // 30 mg/kg * 14 kg == 420 mg.
  Rational rate = Rational(30) * t.compose({"mg", "kg"})->factor;
  Rational weight = Rational(14) * t.find("kg")->factor;
  carepath::ir::Dimension dim = t.compose({"mg", "kg"})->dim * t.find("kg")->dim;
  EXPECT_EQ(rate * weight, Rational(420));
  EXPECT_TRUE(carepath::sema::isAmount(dim));
  EXPECT_TRUE(carepath::sema::isPerWeight(t, {"mg", "kg"}));
  EXPECT_TRUE(carepath::sema::isPerWeight(t, {"mL", "kg"}));
  EXPECT_FALSE(carepath::sema::isPerWeight(t, {"mg", "h"}));
  EXPECT_FALSE(carepath::sema::isPerWeight(t, {"mg"}));
}

TEST(UnitsAlgebraTest, DecimalsAreExact) {
  // 0.1 + 0.2 == 0.3 exactly, unlike binary floating point.
  EXPECT_EQ(*Rational::parse("0.1") + *Rational::parse("0.2"), *Rational::parse("0.3"));
  UnitTable t = stdlibUnits();
  // 0.4 g/kg * 12.5 kg == 5 g == 5000 mg.
  Rational dose = *Rational::parse("0.4") * t.compose({"g", "kg"})->factor * *Rational::parse("12.5") * t.find("kg")->factor;
  EXPECT_EQ(dose, Rational(5000));
}

TEST(UnitsAlgebraTest, PercentIsBuiltIn) {
  UnitTable t;
  ASSERT_TRUE(t.find("%"));
  EXPECT_EQ(t.find("%")->factor, Rational(1, 100));
  EXPECT_TRUE(t.find("%")->dim.dimensionless());
}

TEST(UnitsAlgebraTest, OneBaseUnitPerDimension) {
  UnitTable t;
  EXPECT_TRUE(t.addBase("mg", "mass"));
  EXPECT_FALSE(t.addBase("g", "mass"));
  EXPECT_EQ(t.baseUnitOf("mass"), "mg");
  EXPECT_FALSE(t.addScaled("x", Rational(2), {"unknown"}));
}

TEST(UnitsAlgebraTest, DisplayUnitIsTheBaseUnit) {
  UnitTable t = stdlibUnits();
  EXPECT_EQ(t.displayFor(UnitTable::base("mass")).name, "mg");
  EXPECT_EQ(t.displayFor(UnitTable::base("duration")).name, "h");
  EXPECT_EQ(t.displayFor(carepath::ir::Dimension{}).name, "");
}

TEST(UnitsAlgebraTest, AffineUnitsComposeTheirOffsets) {
  UnitTable t;
  ASSERT_TRUE(t.addBase("K", "temperature", "K"));
  // x degC = 1 * (x - (-273.15)) K; x degF = 5/9 * (x - 32) degC.
  ASSERT_TRUE(t.addScaled("degC", Rational(1), {"K"}, -*Rational::parse("273.15"), "Cel"));
  ASSERT_TRUE(t.addScaled("degF", Rational(5, 9), {"degC"}, Rational(32), "[degF]"));
  const carepath::ir::Unit *c = t.find("degC"), *f = t.find("degF");
  EXPECT_EQ(c->offset, *Rational::parse("273.15"));
  EXPECT_EQ(c->ucum, "Cel");
  EXPECT_TRUE(f->affine());
  // 32 degF == 0 degC == 273.15 K; 212 degF == 100 degC.
  EXPECT_EQ(Rational(32) * f->factor + f->offset, c->offset);
  EXPECT_EQ(Rational(212) * f->factor + f->offset, Rational(100) * c->factor + c->offset);
  // Not inside a compound: a shifted zero per hour means nothing.
  ASSERT_TRUE(t.addBase("h", "duration"));
  EXPECT_FALSE(t.compose({"degC", "h"}));
  EXPECT_EQ(t.composition({"degC", "h"}).error, carepath::units::Composition::Error::AffineInCompound);
}

TEST(UnitsAlgebraTest, SubstancesMakeEquivalentsAmounts) {
  UnitTable t = stdlibUnits();
  carepath::ir::Dimension pe = UnitTable::base("phenytoin_equivalents");
  EXPECT_FALSE(t.isAmount(pe));
  EXPECT_TRUE(t.isAmount(UnitTable::base("mass")));
  t.addSubstance({"fosphenytoin", {{"mass", "phenytoin_equivalents", Rational(3, 2)}}});
  EXPECT_TRUE(t.isAmount(pe));
  ASSERT_TRUE(t.substance("fosphenytoin"));
  EXPECT_FALSE(t.substance("phenytoin"));
}

}  // namespace
