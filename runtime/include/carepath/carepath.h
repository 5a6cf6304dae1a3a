/* The carepath runtime's C API: load a compiled decision table, list what
 * it asks and decides, and evaluate patients, for C programs and bindings
 * from other languages. No C++ types cross it; the header is C99 and C++
 * of any standard. docs/runtime.md is the reference.
 *
 *   carepath_table *t = NULL;
 *   carepath_error *e = NULL;
 *   if (carepath_table_open_file("anec.table.json", 0, &t, &e) != CAREPATH_OK) {
 *     fprintf(stderr, "%s\n", carepath_error_message(e));
 *     carepath_error_free(e);
 *     return 1;
 *   }
 *   carepath_result *r = carepath_result_new();
 *   if (carepath_table_evaluate_into(t, patient_json, 0, r, &e) == CAREPATH_OK)
 *     puts(carepath_result_json(r));        (docs/runtime.md, "Result")
 *   ...
 *   carepath_result_free(r);
 *   carepath_table_free(t);
 *
 * Errors: a function that can fail returns a carepath_status and, when its
 * `error` argument is not NULL, stores there a new carepath_error (the code,
 * a message, and one detail per problem: input, expected, found), freed
 * with carepath_error_free. On success *error is set to NULL.
 *
 * Thread safety: a loaded table is immutable. One carepath_table may be
 * evaluated, and inspected, from any number of threads at once. A
 * carepath_result or carepath_error belongs to one thread at a time (use
 * one result per thread). Freeing a table while another thread uses it is
 * the caller's error. The library keeps no global mutable state.
 *
 * Lifetimes: strings returned as `const char *` live as long as the object
 * they come from (table, result until its next evaluation, error); strings
 * returned as `char *` are the caller's, released with carepath_string_free.
 */
#ifndef CAREPATH_CAREPATH_H
#define CAREPATH_CAREPATH_H

#include <stddef.h>
#include <stdint.h>

/* The symbols of libcarepath.so (built with -fvisibility=hidden). */
#if defined(__GNUC__)
#define CAREPATH_API __attribute__((visibility("default")))
#else
#define CAREPATH_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct carepath_table carepath_table;
typedef struct carepath_result carepath_result;
typedef struct carepath_error carepath_error;

/* ------------------------------------------------------------ errors */

/* What a call's failure was. Values are stable; new ones are only added. */
typedef enum carepath_status {
  CAREPATH_OK = 0,
  CAREPATH_ERROR_INVALID_ARGUMENT = 1,   /* a NULL pointer, an index out of range */
  CAREPATH_ERROR_IO = 2,                 /* the table file cannot be opened or read */
  CAREPATH_ERROR_MALFORMED_TABLE = 3,    /* not JSON, not a valid carepath table, or too large */
  CAREPATH_ERROR_UNSUPPORTED_TABLE = 4,  /* another format, or a format version this runtime does not read */
  CAREPATH_ERROR_TAMPERED_TABLE = 5,     /* the digest does not match: modified after compilation */
  CAREPATH_ERROR_UNVERIFIED_TABLE = 6,   /* not verified, and CAREPATH_ALLOW_UNVERIFIED not given */
  CAREPATH_ERROR_MALFORMED_PATIENT = 7,  /* the patient is not JSON, or not a JSON object */
  CAREPATH_ERROR_INVALID_PATIENT = 8,    /* values that do not fit the inputs: one detail each */
  CAREPATH_ERROR_ARITHMETIC = 9,         /* exact arithmetic overflow or division by zero */
  CAREPATH_ERROR_UNDEFINED_AMOUNT = 10,  /* an amount needs a missing value, or a dose range is empty */
  CAREPATH_ERROR_OUT_OF_MEMORY = 11,
  CAREPATH_ERROR_INTERNAL = 12,
  /* Trusted loads (carepath_table_open_*_trusted; docs/runtime.md, "Trusted tables"): */
  CAREPATH_ERROR_UNSIGNED_TABLE = 13,     /* the table has no signature */
  CAREPATH_ERROR_UNTRUSTED_SIGNATURE = 14, /* signed by a key the trust store does not hold */
  CAREPATH_ERROR_BAD_SIGNATURE = 15,      /* the signature is corrupt, or does not match the content */
  CAREPATH_ERROR_INVALID_KEY = 16         /* a key that cannot be read, or not an Ed25519 public key */
} carepath_status;

/* What is wrong with one input of a patient (a detail of an error). */
typedef enum carepath_problem {
  CAREPATH_PROBLEM_NONE = 0,            /* a detail of an error that is not about an input */
  CAREPATH_PROBLEM_MALFORMED = 1,       /* the document: not JSON, not an object */
  CAREPATH_PROBLEM_UNKNOWN_INPUT = 2,   /* a name the table has no input for */
  CAREPATH_PROBLEM_DUPLICATE = 3,       /* given twice */
  CAREPATH_PROBLEM_MISSING = 4,         /* a required input left out or null */
  CAREPATH_PROBLEM_WRONG_TYPE = 5,      /* e.g. a number for a bool input */
  CAREPATH_PROBLEM_UNKNOWN_MEMBER = 6,  /* not a member of the input's enum */
  CAREPATH_PROBLEM_NOT_A_NUMBER = 7,
  CAREPATH_PROBLEM_UNKNOWN_UNIT = 8,    /* unknown, or none where one is needed */
  CAREPATH_PROBLEM_WRONG_DIMENSION = 9, /* a unit of another dimension */
  CAREPATH_PROBLEM_NOT_INTEGER = 10,
  CAREPATH_PROBLEM_OUT_OF_RANGE = 11,
  CAREPATH_PROBLEM_TOO_LARGE = 12       /* too large or too precise for exact arithmetic */
} carepath_problem;

/* The status's name, "CAREPATH_ERROR_ARITHMETIC"; "" for an unknown value. */
CAREPATH_API const char *carepath_status_name(carepath_status status);

CAREPATH_API carepath_status carepath_error_code(const carepath_error *error);
/* Every problem, one per line, each naming its input. */
CAREPATH_API const char *carepath_error_message(const carepath_error *error);
/* One detail per problem (a malformed or refused table: one, with no input). */
CAREPATH_API size_t carepath_error_detail_count(const carepath_error *error);
CAREPATH_API carepath_problem carepath_error_detail_problem(const carepath_error *error, size_t i);
/* The input concerned; "" for the document as a whole. */
CAREPATH_API const char *carepath_error_detail_input(const carepath_error *error, size_t i);
/* What the input takes ("true or false", "0 kg .. 300 kg", "one of a, b");
 * "" when not applicable. */
CAREPATH_API const char *carepath_error_detail_expected(const carepath_error *error, size_t i);
/* What was given ("a string", "'comma'", "500 kg"); "" when nothing was. */
CAREPATH_API const char *carepath_error_detail_found(const carepath_error *error, size_t i);
/* The detail as a sentence. */
CAREPATH_API const char *carepath_error_detail_message(const carepath_error *error, size_t i);
CAREPATH_API void carepath_error_free(carepath_error *error);

/* ------------------------------------------------------------ loading */

/* Flags for the load functions. */
#define CAREPATH_ALLOW_UNVERIFIED 1u

/* Load from a file / from a buffer of `size` bytes into *table. */
CAREPATH_API carepath_status carepath_table_open_file(const char *path, unsigned flags, carepath_table **table,
                                                      carepath_error **error);
CAREPATH_API carepath_status carepath_table_open_string(const char *text, size_t size, unsigned flags,
                                                        carepath_table **table, carepath_error **error);
CAREPATH_API void carepath_table_free(carepath_table *table);

/* Trusted loads: a store of trusted Ed25519 public keys (PEM, as
 * `openssl pkey -in KEY -pubout` writes them). A table opened with a store
 * is refused unless it is signed by one of its keys and the signature
 * matches (CAREPATH_ERROR_UNSIGNED_TABLE, _UNTRUSTED_SIGNATURE,
 * _BAD_SIGNATURE); then every other check applies as usual. The store is
 * read only during the open call; it may be shared between threads once
 * filled. */
typedef struct carepath_trust carepath_trust;
CAREPATH_API carepath_trust *carepath_trust_new(void);
CAREPATH_API void carepath_trust_free(carepath_trust *trust);
/* Adds every public key of a PEM text / file (several may follow each
 * other); on CAREPATH_ERROR_INVALID_KEY or _IO nothing is added. */
CAREPATH_API carepath_status carepath_trust_add_pem(carepath_trust *trust, const char *pem, size_t size,
                                                    carepath_error **error);
CAREPATH_API carepath_status carepath_trust_add_file(carepath_trust *trust, const char *path, carepath_error **error);
CAREPATH_API size_t carepath_trust_key_count(const carepath_trust *trust);
CAREPATH_API carepath_status carepath_table_open_file_trusted(const char *path, unsigned flags, const carepath_trust *trust,
                                                              carepath_table **table, carepath_error **error);
CAREPATH_API carepath_status carepath_table_open_string_trusted(const char *text, size_t size, unsigned flags,
                                                                const carepath_trust *trust, carepath_table **table,
                                                                carepath_error **error);
/* The id of the key whose signature was checked ("ed25519:<hex>"); "" for
 * a table opened without a trust store. */
CAREPATH_API const char *carepath_table_signer(const carepath_table *table);

/* Table facts; the strings live as long as the table. */
CAREPATH_API const char *carepath_table_protocol_name(const carepath_table *table);
CAREPATH_API const char *carepath_table_protocol_version(const carepath_table *table);
CAREPATH_API const char *carepath_table_digest(const carepath_table *table);
CAREPATH_API const char *carepath_table_verification(const carepath_table *table); /* verified | unverified | not-verified */

/* ------------------------------------------------------------ introspection
 * Indices run from 0 to count - 1; out of range gives NULL, 0 or -1. */

typedef enum carepath_kind {
  CAREPATH_KIND_BOOL = 0,
  CAREPATH_KIND_ENUM = 1,
  CAREPATH_KIND_NUMBER = 2,
  CAREPATH_KIND_STRING = 3
} carepath_kind;

/* Inputs, in the table's order (the order of the patient values). */
CAREPATH_API size_t carepath_table_input_count(const carepath_table *table);
CAREPATH_API const char *carepath_table_input_name(const carepath_table *table, size_t input);
/* The input's kind; -1 when out of range. */
CAREPATH_API int carepath_table_input_kind(const carepath_table *table, size_t input);
/* 1 when the patient may leave it out (or give null). */
CAREPATH_API int carepath_table_input_optional(const carepath_table *table, size_t input);
/* Number inputs: 1 when only whole numbers are accepted. */
CAREPATH_API int carepath_table_input_integer(const carepath_table *table, size_t input);
/* Number inputs: the unit the author wrote ("kg"; "" when dimensionless),
 * its dimension ("mass"; ""), and the units a patient may give it in. */
CAREPATH_API const char *carepath_table_input_unit(const carepath_table *table, size_t input);
CAREPATH_API const char *carepath_table_input_dimension(const carepath_table *table, size_t input);
CAREPATH_API size_t carepath_table_input_unit_count(const carepath_table *table, size_t input);
CAREPATH_API const char *carepath_table_input_unit_name(const carepath_table *table, size_t input, size_t unit);
/* Number inputs: the inclusive range's low / high end, exactly, as
 * numerator / denominator in carepath_table_input_unit. Returns 1 and sets
 * them when the end is bounded, 0 when not. */
CAREPATH_API int carepath_table_input_min(const carepath_table *table, size_t input, int64_t *num, int64_t *den);
CAREPATH_API int carepath_table_input_max(const carepath_table *table, size_t input, int64_t *num, int64_t *den);
/* Enum inputs: the members, in declaration order. */
CAREPATH_API size_t carepath_table_input_member_count(const carepath_table *table, size_t input);
CAREPATH_API const char *carepath_table_input_member(const carepath_table *table, size_t input, size_t member);

/* Decision tables: pathways first, then tables, as in the result. */
CAREPATH_API size_t carepath_table_table_count(const carepath_table *table);
CAREPATH_API const char *carepath_table_table_name(const carepath_table *table, size_t t);
/* 1 for a pathway (its rules are its tiers). */
CAREPATH_API int carepath_table_table_is_pathway(const carepath_table *table, size_t t);
/* The sets of course pathways whose joint reachable states the table
 * carries (docs/tables.md, "jointCourses"; none for most tables): each
 * set's pathways, as indices for carepath_table_table_* ((size_t)-1 when
 * out of range), ascending. */
CAREPATH_API size_t carepath_table_joint_course_count(const carepath_table *table);
CAREPATH_API size_t carepath_table_joint_course_pathway_count(const carepath_table *table, size_t j);
CAREPATH_API size_t carepath_table_joint_course_pathway(const carepath_table *table, size_t j, size_t k);
/* "unique", "first", "priority", "any", "collect", "rule order", "output order". */
CAREPATH_API const char *carepath_table_table_hit_policy(const carepath_table *table, size_t t);
CAREPATH_API size_t carepath_table_rule_count(const carepath_table *table, size_t t);
CAREPATH_API const char *carepath_table_rule_name(const carepath_table *table, size_t t, size_t rule);
CAREPATH_API size_t carepath_table_action_count(const carepath_table *table, size_t t, size_t rule);
/* "give", "do", "order", "consider", "monitor", "unspecified". */
CAREPATH_API const char *carepath_table_action_kind(const carepath_table *table, size_t t, size_t rule, size_t action);
/* The drug given, or the action's name; "" for `unspecified`. */
CAREPATH_API const char *carepath_table_action_name(const carepath_table *table, size_t t, size_t rule, size_t action);

/* An action of a `one of` (the clinician's choice): returns 1 and sets its
 * choice's index in the rule and its alternative's index in the choice; 0
 * for an action given outright or out of range. Either pointer may be NULL. */
CAREPATH_API int carepath_table_action_alternative(const carepath_table *table, size_t t, size_t rule, size_t action,
                                                   size_t *choice, size_t *option);

/* The population assumptions (`assume NAME: C`, docs/tables.md
 * "Assumptions"): the protocol was verified only for patients who satisfy
 * them. Their names and conditions as written. */
CAREPATH_API size_t carepath_table_assumption_count(const carepath_table *table);
CAREPATH_API const char *carepath_table_assumption_name(const carepath_table *table, size_t i);
CAREPATH_API const char *carepath_table_assumption_condition(const carepath_table *table, size_t i);

/* Drug contraindications (`contraindicated when C "note" [cites]`,
 * docs/tables.md "Contraindications"), of the drugs the protocol gives, in
 * the table's order: contraindication `i` (below
 * carepath_table_contraindication_count) belongs to a drug (its name), has
 * its condition as written, a note ("" when none) and citations (the
 * sources' names). Strings live as long as the table; NULL, or 0 for a
 * count, when `i` or `k` is out of range. For a fired give, which of them
 * hold: carepath_result_action_contraindication. */
CAREPATH_API size_t carepath_table_contraindication_count(const carepath_table *table);
CAREPATH_API const char *carepath_table_contraindication_drug(const carepath_table *table, size_t i);
CAREPATH_API const char *carepath_table_contraindication_condition(const carepath_table *table, size_t i);
CAREPATH_API const char *carepath_table_contraindication_note(const carepath_table *table, size_t i);
CAREPATH_API size_t carepath_table_contraindication_citation_count(const carepath_table *table, size_t i);
CAREPATH_API const char *carepath_table_contraindication_citation(const carepath_table *table, size_t i, size_t k);

/* Terminology codes (`code KIND NAME = SYSTEM "CODE"`, docs/tables.md
 * "Codes"): code `i` (below carepath_table_code_count) names what it codes,
 * its target "input", "member", "drug", "route" or "action" and its name
 * ("weight"; a member "consciousness.coma"), and either a code (system URI
 * such as "http://loinc.org", code, display: "" when none was written) or
 * the reason none is known (carepath_table_code_unspecified: NULL for a
 * code). Strings live as long as the table; NULL when `i` is out of range
 * (system, code and display are "" for an unspecified one). */
CAREPATH_API size_t carepath_table_code_count(const carepath_table *table);
CAREPATH_API const char *carepath_table_code_target(const carepath_table *table, size_t i);
CAREPATH_API const char *carepath_table_code_name(const carepath_table *table, size_t i);
CAREPATH_API const char *carepath_table_code_system(const carepath_table *table, size_t i);
CAREPATH_API const char *carepath_table_code_code(const carepath_table *table, size_t i);
CAREPATH_API const char *carepath_table_code_display(const carepath_table *table, size_t i);
CAREPATH_API const char *carepath_table_code_unspecified(const carepath_table *table, size_t i);
/* The codes of an action (carepath_table_action_*; for a fired one,
 * carepath_result_action gives its indices): a give's drug's, then its
 * route's; another action's own; `unspecified` ones left out. Each is an
 * index for carepath_table_code_*; (size_t)-1 when out of range. */
CAREPATH_API size_t carepath_table_action_code_count(const carepath_table *table, size_t t, size_t rule, size_t action);
CAREPATH_API size_t carepath_table_action_code(const carepath_table *table, size_t t, size_t rule, size_t action,
                                               size_t k);

/* ------------------------------------------------------------ evaluation */

/* Flags for evaluation. */
#define CAREPATH_EXPLAIN 1u

/* A caller-owned result, reused across evaluations (its buffers are kept:
 * no allocation per patient once warmed up, apart from the JSON). */
CAREPATH_API carepath_result *carepath_result_new(void);
CAREPATH_API void carepath_result_free(carepath_result *result);

/* Evaluates one patient given as a JSON object (NUL-terminated; docs/runtime.md)
 * into `result`. An optional input is missing when the object leaves it out
 * or gives it as null; rules that need it are "undecided". On failure the
 * result is emptied. CAREPATH_EXPLAIN adds the trace to the JSON. */
CAREPATH_API carepath_status carepath_table_evaluate_into(const carepath_table *table, const char *patient_json,
                                                          unsigned flags, carepath_result *result,
                                                          carepath_error **error);

/* The result document (docs/runtime.md, "Result"); "" before an evaluation. */
CAREPATH_API const char *carepath_result_json(const carepath_result *result);
/* 1 when the patient is in the protocol's population. */
CAREPATH_API int carepath_result_in_population(const carepath_result *result);
/* The fired actions, tables in order, then rules in written order. */
CAREPATH_API size_t carepath_result_action_count(const carepath_result *result);
/* Where fired action `i` is written: indices for carepath_table_action_*. */
CAREPATH_API carepath_status carepath_result_action(const carepath_result *result, size_t i, size_t *table,
                                                    size_t *rule, size_t *action);
/* A fired give's amount, exactly, in canonical units (mg, mg/day ...): the
 * dose (low == high) or the dose range. Returns 1 and sets them for a give
 * with an amount, 0 otherwise. Any pointer may be NULL. */
CAREPATH_API int carepath_result_action_amount(const carepath_result *result, size_t i, int64_t *low_num,
                                               int64_t *low_den, int64_t *high_num, int64_t *high_den);
/* A fired give's amount for people, "420 mg per day"; "" when it has none. */
CAREPATH_API const char *carepath_result_action_dose(const carepath_result *result, size_t i);
/* A fired give's treatment plan for people (docs/tables.md, "plan"): "375 mg
 * per dose, 1500 mg per day, at most 20 doses, one every 6 h"; "" when the
 * table carries no plan for it or the plan says nothing. */
CAREPATH_API const char *carepath_result_action_plan(const carepath_result *result, size_t i);
typedef enum carepath_plan_part {
  CAREPATH_PLAN_PER_DOSE = 0,   /* the amount of one dose (canonical unit: mg ...) */
  CAREPATH_PLAN_PER_DAY = 1,    /* a day's amount */
  CAREPATH_PLAN_PER_COURSE = 2, /* the whole course's amount */
  CAREPATH_PLAN_DOSES = 3,      /* the most doses */
  CAREPATH_PLAN_INTERVAL = 4    /* the time between doses, in hours */
} carepath_plan_part;
/* One part of fired give `i`'s plan, exactly: returns 1 and sets its low and
 * high ends (equal unless the dose is a range), 0 when the protocol does not
 * say. Any pointer may be NULL. */
CAREPATH_API int carepath_result_action_plan_part(const carepath_result *result, size_t i, carepath_plan_part part,
                                                  int64_t *low_num, int64_t *low_den, int64_t *high_num,
                                                  int64_t *high_den);
/* Course pathways (docs/semantics.md, "The course"): where the patient is
 * after this evaluation, as the state inputs the next evaluation reads
 * (`on_P`, then `P_T_state` per tier) with their values: "true", "false",
 * a member's name, or "unknown"/"missing" when a missing value decided it.
 * A caller stores them and passes them back with the next patient. None for
 * a patient outside the population. */
CAREPATH_API size_t carepath_result_next_state_count(const carepath_result *result);
CAREPATH_API carepath_status carepath_result_next_state(const carepath_result *result, size_t i, const char **pathway,
                                                        const char **input, const char **value);
/* The exits taken (`exit NAME when C`): the patient leaves the pathway. */
CAREPATH_API size_t carepath_result_exit_count(const carepath_result *result);
CAREPATH_API carepath_status carepath_result_exit(const carepath_result *result, size_t i, const char **pathway,
                                                  const char **exit);
/* The assumptions the evaluated patient violates (a condition known false):
 * the decision is still computed, but the protocol was verified for no
 * such patient, so a caller must flag it. Each is an index for
 * carepath_table_assumption_*; (size_t)-1 when out of range. */
CAREPATH_API size_t carepath_result_violated_assumption_count(const carepath_result *result);
CAREPATH_API size_t carepath_result_violated_assumption(const carepath_result *result, size_t i);
/* The course pathways whose state the evaluated record gives (`on_P`,
 * each `P_T_state`) is one no course from a fresh patient produces
 * (docs/runtime.md, "Course states no course produces"): the decision is
 * still computed, but the verifier's proofs that read the course state
 * (its dose envelopes and limits among them) say nothing about this record, so a caller must flag it, as for an assumption. Each is an
 * index for carepath_table_table_* (a pathway); (size_t)-1 when out of
 * range. None outside the population, nor for a pathway whose reachable
 * states the table does not know. */
CAREPATH_API size_t carepath_result_unreachable_course_count(const carepath_result *result);
CAREPATH_API size_t carepath_result_unreachable_course(const carepath_result *result, size_t i);
/* The same for course pathways read together (docs/runtime.md, "Course
 * states no course produces"): the sets of carepath_table_joint_course_*
 * whose state, read together, no course from a fresh patient produces,
 * though each pathway's own state is reachable (a set with a pathway in
 * carepath_result_unreachable_course is not listed). Each is an index for
 * carepath_table_joint_course_*; (size_t)-1 when out of range. */
CAREPATH_API size_t carepath_result_unreachable_joint_course_count(const carepath_result *result);
CAREPATH_API size_t carepath_result_unreachable_joint_course(const carepath_result *result, size_t i);

/* A condition's value for the patient: true, false, or unknown (it needs a
 * missing value). Values are stable. */
typedef enum carepath_truth {
  CAREPATH_TRUTH_FALSE = 0,
  CAREPATH_TRUTH_TRUE = 1,
  CAREPATH_TRUTH_UNKNOWN = 2
} carepath_truth;
/* The contraindications of fired give `i`'s drug that hold for the patient
 * (CAREPATH_TRUTH_TRUE) or may hold (CAREPATH_TRUTH_UNKNOWN: the condition
 * needs a missing value, so it is not ruled out), in the drug's order
 * (docs/runtime.md, "Contraindications"): the count (0 for another action,
 * a drug without any, or `i` out of range), then the k-th as an index for
 * carepath_table_contraindication_*, with its truth in *truth (may be
 * NULL); (size_t)-1 when out of range. A verified table offers no such give
 * to a patient within its inputs' ranges (the verifier's `contraindication`
 * property): for another, a host must show it before the drug is given. */
CAREPATH_API size_t carepath_result_action_contraindication_count(const carepath_result *result, size_t i);
CAREPATH_API size_t carepath_result_action_contraindication(const carepath_result *result, size_t i, size_t k,
                                                            carepath_truth *truth);

/* ------------------------------------------------------------ batch evaluation
 * Many patients in one call, given as columns of values (no JSON to build
 * or parse), the fired rules returned in an array (docs/runtime.md,
 * "Batch evaluation"). */

/* One input value of one patient. */
typedef struct carepath_value {
  /* number inputs: the value num/den (den > 0) in the input's unit,
   * carepath_table_input_unit ("kg"; a plain number when ""); bool inputs:
   * 0 or 1; enum inputs: the member's index. */
  int64_t num;
  int64_t den;
  const char *text; /* string inputs: NUL-terminated UTF-8; ignored otherwise */
  int missing;      /* non-zero: no value (an optional input only) */
} carepath_value;

/* All tables' rules numbered together: table t's rule r is number
 * carepath_table_rule_offset(table, t) + r, below carepath_table_rule_total. */
CAREPATH_API size_t carepath_table_rule_total(const carepath_table *table);
CAREPATH_API size_t carepath_table_rule_offset(const carepath_table *table, size_t t);

/* Evaluates `patients` patients: columns[i][p] is input i (the table's
 * order) of patient p. For each patient p: status[p] is CAREPATH_OK, or why
 * that patient could not be evaluated (CAREPATH_ERROR_INVALID_PATIENT: a
 * value that does not fit its input; _ARITHMETIC; _UNDEFINED_AMOUNT);
 * in_population[p] is 1 when it is in the population; fired[p * total + n]
 * (total = carepath_table_rule_total) is 1 when rule number n fired, 0
 * otherwise and for a patient whose status is not CAREPATH_OK. in_population
 * and fired may be NULL. The result is the one carepath_table_evaluate_into
 * gives each patient. Returns CAREPATH_OK when every patient was evaluated;
 * otherwise the first failed patient's status, with its error (the message
 * names the patient: "patient 3: ...") when `error` is not NULL; the other
 * patients are evaluated all the same. Runs on the calling thread; calls on
 * one table from several threads at once are safe. */
CAREPATH_API carepath_status carepath_table_evaluate_columns(const carepath_table *table, size_t patients,
                                                             const carepath_value *const *columns, int32_t *status,
                                                             uint8_t *in_population, uint8_t *fired,
                                                             carepath_error **error);

/* ------------------------------------------------------------ version */

/* The runtime library's version: the project version, "MAJOR.MINOR.PATCH". */
CAREPATH_API const char *carepath_runtime_version(void);

/* ------------------------------------------------------------ earlier API
 * Kept for existing callers; errors as text only. */

/* Load; on failure return NULL and, when `error` is not NULL, store a
 * message there (free it with carepath_string_free). */
CAREPATH_API carepath_table *carepath_table_load_file(const char *path, unsigned flags, char **error);
CAREPATH_API carepath_table *carepath_table_load_string(const char *text, size_t size, unsigned flags, char **error);
/* The result document as a new string, or NULL with `error` set (every
 * problem, one per line). `explain` non-zero adds the trace. */
CAREPATH_API char *carepath_table_evaluate(const carepath_table *table, const char *patient_json, int explain,
                                           char **error);
CAREPATH_API void carepath_string_free(char *s);

#ifdef __cplusplus
}
#endif

#endif /* CAREPATH_CAREPATH_H */
