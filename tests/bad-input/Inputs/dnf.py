# Prints a protocol whose guard is a conjunction of 9 two-way disjunctions:
# 2^9 rows in disjunctive normal form.
n = 9
print('protocol t version "1" {\n  title "t"\n  population true\n}')
for i in range(n):
    print(f"input a{i} : bool")
    print(f"input b{i} : bool")
guard = " and ".join(f"(a{i} or b{i})" for i in range(n))
print("table t hit collect {")
print(f"  rule r when {guard} -> monitor x")
print("}")
