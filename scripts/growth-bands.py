#!/usr/bin/env python3
"""Derive stdlib/growth.care's weight bands from the WHO's own data files.

    python3 scripts/growth-bands.py WEIANTHRO.txt WFAWHO2007.txt > stdlib/growth.care

WEIANTHRO.txt: data-raw/growthstandards/weianthro.txt of the WHO's `anthro`
R package (github.com/WorldHealthOrganization/anthro): the WHO Child Growth
Standards' weight-for-age L, M, S by sex and age in days, 0 to 1826 days.
WFAWHO2007.txt: data-raw/growthstandards/wfawho2007.txt of the WHO's
`anthroplus` package (github.com/WorldHealthOrganization/anthroplus): the
WHO 2007 Reference's weight-for-age L, M, S by sex and age in months, 60 to
121 months.

For each age band the script writes an assumption that the weight lies
between the weight at z = -6 and the weight at z = +5 (both packages flag a
weight-for-age z-score below -6 or above +5 as implausible), over both sexes
and every age in the band, computed as the packages compute z-scores
(the LMS method restricted beyond 3 SD: WHO Child Growth Standards, Methods
and development, 2006, chapter 7), and rounded outward to 0.1 kg. Nothing is
recalled: every figure comes from the two files; the bands are conservative
(a plausible child never violates one).
"""
import math
import sys

# Age bands [low, high) as (low, high, unit); unit "m" months, "y" years.
BANDS = [(0, 1, "m"), (1, 3, "m"), (3, 6, "m"), (6, 12, "m"), (12, 18, "m"), (18, 24, "m"),
         (2, 3, "y"), (3, 4, "y"), (4, 5, "y"), (5, 6, "y"), (6, 7, "y"), (7, 8, "y"),
         (8, 9, "y"), (9, 10, "y")]
DAYS_PER_MONTH = 365.25 / 12  # stdlib.units: a month is a twelfth of the Julian year
Z_LOW, Z_HIGH = -6, 5


def read(path):
    rows = {}
    with open(path) as f:
        header = f.readline().split()
        if header != ["sex", "age", "l", "m", "s"]:
            sys.exit(f"{path}: unexpected header {header}")
        for line in f:
            sex, age, l, m, s = line.split()
            rows[(int(sex), int(age))] = (float(l), float(m), float(s))
    return rows


def at_sd(l, m, s, sd):
    return m * (1 + l * s * sd) ** (1 / l)


def weight_at(l, m, s, z):
    """The weight whose restricted-LMS z-score is z (chapter 7's inverse)."""
    if -3 <= z <= 3:
        return at_sd(l, m, s, z)
    if z > 3:
        return at_sd(l, m, s, 3) + (z - 3) * (at_sd(l, m, s, 3) - at_sd(l, m, s, 2))
    return at_sd(l, m, s, -3) + (z + 3) * (at_sd(l, m, s, -2) - at_sd(l, m, s, -3))


def params_in_days(days_table, low_days, high_days):
    # anthro rounds an age in days up to a whole day: an age in [a, b) uses
    # rows ceil(a) .. ceil(b); floor(a) is included as well, to be safe.
    for day in range(math.floor(low_days), math.ceil(high_days) + 1):
        for sex in (1, 2):
            if (sex, day) in days_table:
                yield days_table[(sex, day)]


def params_in_months(months_table, low, high, steps=100):
    # anthroplus interpolates L, M and S linearly between whole months.
    for i in range(int((high - low) * steps) + 1):
        age = low + i / steps
        lo = math.trunc(age)
        frac = age - lo
        for sex in (1, 2):
            a, b = months_table.get((sex, lo)), months_table.get((sex, lo + 1))
            if a is None:
                continue
            if b is None or frac == 0:
                yield a
            else:
                yield tuple(x + frac * (y - x) for x, y in zip(a, b))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    days_table, months_table = read(sys.argv[1]), read(sys.argv[2])
    out = []
    for low, high, unit in BANDS:
        lo_m = low * (12 if unit == "y" else 1)
        hi_m = high * (12 if unit == "y" else 1)
        if hi_m <= 60:
            params = list(params_in_days(days_table, lo_m * DAYS_PER_MONTH, hi_m * DAYS_PER_MONTH))
            source = "WHO_CGS_WFA"
        else:
            params = list(params_in_months(months_table, lo_m, hi_m))
            source = "WHO_2007_WFA"
        if not params:
            sys.exit(f"no rows for {low}-{high} {unit}")
        least = min(weight_at(*p, Z_LOW) for p in params)
        most = max(weight_at(*p, Z_HIGH) for p in params)
        out.append((low, high, unit, math.floor(least * 10) / 10, math.ceil(most * 10) / 10, source))
    print(HEADER)
    for low, high, unit, least, most, source in out:
        word = {"m": "months", "y": "years"}[unit]
        name = f"weight_for_age_{low}_{high}_{'months' if unit == 'm' else 'years'}"
        unit_of = lambda n: word[:-1] if n == 1 else word  # "1 month", "3 months"
        below = f"age < {low} {unit_of(low)} or " if low > 0 else ""
        print(f'assume {name} : {below}age >= {high} {unit_of(high)} or '
              f'(weight >= {least:.1f} kg and weight <= {most:.1f} kg)\n'
              f'  "weight-for-age z-score from -6 to +5, {low} to {high} {word}" [{source}, WHO_FLAGS]')


HEADER = '''// stdlib.growth: which weights exist at which age, as population
// assumptions (docs/language.md, "assume") a protocol imports with
// `use stdlib.growth`. Generated by scripts/growth-bands.py from the WHO's
// own data files (see there); do not edit the figures by hand.
//
// For each age band a child's weight lies between the weight at a
// weight-for-age z-score of -6 and the weight at +5, the limits outside which
// the WHO's software flags a weight-for-age z-score as implausible. Both
// sexes, every age in the band, rounded outward to 0.1 kg: a plausible
// child never violates a band. Ages from 10 years have no band: the WHO 2007
// Reference gives weight-for-age only to 10 years.
// The assumptions read the protocol's inputs `age` (a duration) and
// `weight` (a mass).
module stdlib.growth

use stdlib.units

source WHO_CGS_WFA "WHO Multicentre Growth Reference Study Group. WHO Child Growth Standards: Length/height-for-age, weight-for-age, weight-for-length, weight-for-height and body mass index-for-age: Methods and development. Geneva: World Health Organization; 2006. Weight-for-age L, M and S parameters by sex and age in days (0 to 1826 days) as distributed by the WHO in its R package anthro (github.com/WorldHealthOrganization/anthro, file data-raw/growthstandards/weianthro.txt, commit 8b30b3581e93bc4efaab0ef3deaf40c1d993ea88); z-scores beyond 3 SD by the restricted LMS method of chapter 7"
source WHO_2007_WFA "de Onis M, Onyango AW, Borghi E, Siyam A, Nishida C, Siekmann J. Development of a WHO growth reference for school-aged children and adolescents. Bulletin of the World Health Organization 2007;85(9):660-667. Weight-for-age L, M and S parameters by sex and age in months (60 to 121 months) as distributed by the WHO in its R package anthroplus (github.com/WorldHealthOrganization/anthroplus, file data-raw/growthstandards/wfawho2007.txt, commit 4a303d40a3e3d6bb6264e71c78dff1a2e75a2cf7), interpolated linearly between months as the package does"
source WHO_FLAGS "World Health Organization, R packages anthro 1.1.0 (function anthro_zscore_weight_for_age, flag_threshold = c(-6, 5)) and anthroplus 1.0.0 (function anthroplus_zscores, fwfa = 1 if zwfa > 5 or zwfa < -6): a weight-for-age z-score below -6 or above +5 is flagged as implausible"
'''

if __name__ == "__main__":
    main()
