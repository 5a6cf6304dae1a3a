"""Python binding of the carepath runtime: load a compiled decision table,
inspect its inputs and rules, and evaluate patients, with exact amounts as
fractions.Fraction.

Pure Python over libcarepath.so's C API (ctypes): nothing to compile, and
the same stable interface every other language uses (docs/runtime.md,
"Python"). The library is found through $CAREPATH_LIBRARY, else next to an
installed copy of this module (PREFIX/lib/python3/dist-packages/carepath ->
PREFIX/lib*/libcarepath.so.*), else by the system's library search.

    import carepath
    table = carepath.load("anec.table.json")
    result = table.evaluate({"age": "3 years", "weight": "14 kg", ...})
    for action in result.actions:
        print(action.name, action.amount, action.unit)
"""

import ctypes
import ctypes.util
import glob
import json
import os
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Dict, List, Optional, Tuple, Union

__all__ = [
    "load", "loads", "Table", "TrustStore", "Input", "Rule", "DecisionTable", "Action", "Contraindication", "DrugContraindication", "Plan", "Code", "CourseState", "Output", "Result",
    "ErrorDetail", "CarepathError", "InvalidArgumentError", "TableIOError", "MalformedTableError",
    "UnsupportedTableError", "TamperedTableError", "UnverifiedTableError", "UnsignedTableError",
    "UntrustedSignatureError", "BadSignatureError", "InvalidKeyError", "MalformedPatientError",
    "InvalidPatientError", "CarepathArithmeticError", "UndefinedAmountError", "CarepathMemoryError",
    "InternalError", "runtime_version",
]

# ------------------------------------------------------------------ library

def _candidates():
    env = os.environ.get("CAREPATH_LIBRARY")
    if env:
        yield env
        return
    # Installed: PREFIX/lib/python3/dist-packages/carepath/__init__.py.
    prefix = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
    for pattern in ("lib*/libcarepath.so.*", "lib/*/libcarepath.so.*"):
        for path in sorted(glob.glob(os.path.join(prefix, pattern))):
            yield path
    found = ctypes.util.find_library("carepath")
    if found:
        yield found


def _open_library():
    tried = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            tried.append(f"{path}: {e}")
    raise ImportError("carepath: libcarepath.so not found (set CAREPATH_LIBRARY to its path)"
                      + ("; tried " + "; ".join(tried) if tried else ""))


_lib = _open_library()

_p = ctypes.c_void_p
_s = ctypes.c_char_p
_z = ctypes.c_size_t
_i64p = ctypes.POINTER(ctypes.c_int64)


def _fn(name, restype, *argtypes):
    f = getattr(_lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


_status_name = _fn("carepath_status_name", _s, ctypes.c_int)
_error_code = _fn("carepath_error_code", ctypes.c_int, _p)
_error_message = _fn("carepath_error_message", _s, _p)
_error_detail_count = _fn("carepath_error_detail_count", _z, _p)
_error_detail_problem = _fn("carepath_error_detail_problem", ctypes.c_int, _p, _z)
_error_detail_input = _fn("carepath_error_detail_input", _s, _p, _z)
_error_detail_expected = _fn("carepath_error_detail_expected", _s, _p, _z)
_error_detail_found = _fn("carepath_error_detail_found", _s, _p, _z)
_error_detail_message = _fn("carepath_error_detail_message", _s, _p, _z)
_error_free = _fn("carepath_error_free", None, _p)
_open_file = _fn("carepath_table_open_file", ctypes.c_int, _s, ctypes.c_uint, ctypes.POINTER(_p), ctypes.POINTER(_p))
_open_string = _fn("carepath_table_open_string", ctypes.c_int, _s, _z, ctypes.c_uint, ctypes.POINTER(_p),
                   ctypes.POINTER(_p))
_table_free = _fn("carepath_table_free", None, _p)
_trust_new = _fn("carepath_trust_new", _p)
_trust_free = _fn("carepath_trust_free", None, _p)
_trust_add_pem = _fn("carepath_trust_add_pem", ctypes.c_int, _p, _s, _z, ctypes.POINTER(_p))
_trust_add_file = _fn("carepath_trust_add_file", ctypes.c_int, _p, _s, ctypes.POINTER(_p))
_trust_key_count = _fn("carepath_trust_key_count", _z, _p)
_open_file_trusted = _fn("carepath_table_open_file_trusted", ctypes.c_int, _s, ctypes.c_uint, _p, ctypes.POINTER(_p),
                         ctypes.POINTER(_p))
_open_string_trusted = _fn("carepath_table_open_string_trusted", ctypes.c_int, _s, _z, ctypes.c_uint, _p,
                           ctypes.POINTER(_p), ctypes.POINTER(_p))
_signer = _fn("carepath_table_signer", _s, _p)
_protocol_name = _fn("carepath_table_protocol_name", _s, _p)
_protocol_version = _fn("carepath_table_protocol_version", _s, _p)
_digest = _fn("carepath_table_digest", _s, _p)
_verification = _fn("carepath_table_verification", _s, _p)
_input_count = _fn("carepath_table_input_count", _z, _p)
_input_name = _fn("carepath_table_input_name", _s, _p, _z)
_input_kind = _fn("carepath_table_input_kind", ctypes.c_int, _p, _z)
_input_optional = _fn("carepath_table_input_optional", ctypes.c_int, _p, _z)
_input_integer = _fn("carepath_table_input_integer", ctypes.c_int, _p, _z)
_input_unit = _fn("carepath_table_input_unit", _s, _p, _z)
_input_dimension = _fn("carepath_table_input_dimension", _s, _p, _z)
_input_unit_count = _fn("carepath_table_input_unit_count", _z, _p, _z)
_input_unit_name = _fn("carepath_table_input_unit_name", _s, _p, _z, _z)
_input_min = _fn("carepath_table_input_min", ctypes.c_int, _p, _z, _i64p, _i64p)
_input_max = _fn("carepath_table_input_max", ctypes.c_int, _p, _z, _i64p, _i64p)
_input_member_count = _fn("carepath_table_input_member_count", _z, _p, _z)
_input_member = _fn("carepath_table_input_member", _s, _p, _z, _z)
_table_count = _fn("carepath_table_table_count", _z, _p)
_table_name = _fn("carepath_table_table_name", _s, _p, _z)
_table_is_pathway = _fn("carepath_table_table_is_pathway", ctypes.c_int, _p, _z)
_table_hit_policy = _fn("carepath_table_table_hit_policy", _s, _p, _z)
_rule_count = _fn("carepath_table_rule_count", _z, _p, _z)
_rule_name = _fn("carepath_table_rule_name", _s, _p, _z, _z)
_action_count = _fn("carepath_table_action_count", _z, _p, _z, _z)
_action_kind = _fn("carepath_table_action_kind", _s, _p, _z, _z, _z)
_action_name = _fn("carepath_table_action_name", _s, _p, _z, _z, _z)
_result_new = _fn("carepath_result_new", _p)
_result_free = _fn("carepath_result_free", None, _p)
_evaluate_into = _fn("carepath_table_evaluate_into", ctypes.c_int, _p, _s, ctypes.c_uint, _p, ctypes.POINTER(_p))
_result_json = _fn("carepath_result_json", _s, _p)
_result_in_population = _fn("carepath_result_in_population", ctypes.c_int, _p)
_result_action_count = _fn("carepath_result_action_count", _z, _p)
_result_action = _fn("carepath_result_action", ctypes.c_int, _p, _z, ctypes.POINTER(_z), ctypes.POINTER(_z),
                     ctypes.POINTER(_z))
_result_action_amount = _fn("carepath_result_action_amount", ctypes.c_int, _p, _z, _i64p, _i64p, _i64p, _i64p)
_result_action_dose = _fn("carepath_result_action_dose", _s, _p, _z)
_assumption_count = _fn("carepath_table_assumption_count", _z, _p)
_assumption_name = _fn("carepath_table_assumption_name", _s, _p, _z)
_assumption_condition = _fn("carepath_table_assumption_condition", _s, _p, _z)
_result_violated_count = _fn("carepath_result_violated_assumption_count", _z, _p)
_result_violated = _fn("carepath_result_violated_assumption", _z, _p, _z)
_result_unreachable_count = _fn("carepath_result_unreachable_course_count", _z, _p)
_result_unreachable = _fn("carepath_result_unreachable_course", _z, _p, _z)
_result_unreachable_joint_count = _fn("carepath_result_unreachable_joint_course_count", _z, _p)
_result_unreachable_joint = _fn("carepath_result_unreachable_joint_course", _z, _p, _z)
_joint_pathway_count = _fn("carepath_table_joint_course_pathway_count", _z, _p, _z)
_joint_pathway = _fn("carepath_table_joint_course_pathway", _z, _p, _z, _z)
_contra_count = _fn("carepath_table_contraindication_count", _z, _p)
_contra_drug = _fn("carepath_table_contraindication_drug", _s, _p, _z)
_contra_condition = _fn("carepath_table_contraindication_condition", _s, _p, _z)
_contra_note = _fn("carepath_table_contraindication_note", _s, _p, _z)
_contra_citation_count = _fn("carepath_table_contraindication_citation_count", _z, _p, _z)
_contra_citation = _fn("carepath_table_contraindication_citation", _s, _p, _z, _z)
_result_contra_count = _fn("carepath_result_action_contraindication_count", _z, _p, _z)
_result_contra = _fn("carepath_result_action_contraindication", _z, _p, _z, _z, ctypes.POINTER(ctypes.c_int))
_TRUTH_TRUE = 1  # carepath_truth: CAREPATH_TRUTH_TRUE
_code_count = _fn("carepath_table_code_count", _z, _p)
_code_target = _fn("carepath_table_code_target", _s, _p, _z)
_code_name = _fn("carepath_table_code_name", _s, _p, _z)
_code_system = _fn("carepath_table_code_system", _s, _p, _z)
_code_code = _fn("carepath_table_code_code", _s, _p, _z)
_code_display = _fn("carepath_table_code_display", _s, _p, _z)
_code_unspecified = _fn("carepath_table_code_unspecified", _s, _p, _z)
_action_code_count = _fn("carepath_table_action_code_count", _z, _p, _z, _z, _z)
_action_code = _fn("carepath_table_action_code", _z, _p, _z, _z, _z, _z)
_runtime_version = _fn("carepath_runtime_version", _s)


class _Value(ctypes.Structure):
    # carepath_value (carepath/carepath.h, "batch evaluation")
    _fields_ = [("num", ctypes.c_int64), ("den", ctypes.c_int64), ("text", ctypes.c_char_p), ("missing", ctypes.c_int)]


_rule_total = _fn("carepath_table_rule_total", _z, _p)
_rule_offset = _fn("carepath_table_rule_offset", _z, _p, _z)
_evaluate_columns = _fn("carepath_table_evaluate_columns", ctypes.c_int, _p, _z, ctypes.POINTER(ctypes.POINTER(_Value)),
                        ctypes.POINTER(ctypes.c_int32), ctypes.POINTER(ctypes.c_uint8), ctypes.POINTER(ctypes.c_uint8),
                        ctypes.POINTER(_p))

_ALLOW_UNVERIFIED = 1
_EXPLAIN = 1


def _str(b: Optional[bytes]) -> str:
    return b.decode("utf-8") if b is not None else ""


def runtime_version() -> str:
    """The library's version, "MAJOR.MINOR.PATCH"."""
    return _str(_runtime_version())

# ------------------------------------------------------------------ errors

_PROBLEMS = ["NONE", "MALFORMED", "UNKNOWN_INPUT", "DUPLICATE", "MISSING", "WRONG_TYPE", "UNKNOWN_MEMBER",
             "NOT_A_NUMBER", "UNKNOWN_UNIT", "WRONG_DIMENSION", "NOT_INTEGER", "OUT_OF_RANGE", "TOO_LARGE"]


@dataclass(frozen=True)
class ErrorDetail:
    """One problem of an error: `problem` is the carepath_problem's name
    without its prefix ("OUT_OF_RANGE"); `input` is "" for the document."""
    problem: str
    input: str
    expected: str
    found: str
    message: str


class CarepathError(Exception):
    """A failure of the runtime: `code` is the carepath_status name
    ("CAREPATH_ERROR_INVALID_PATIENT"), `details` one ErrorDetail per problem."""
    code = "CAREPATH_ERROR_INTERNAL"

    def __init__(self, message: str, details: List[ErrorDetail] = ()):
        super().__init__(message)
        self.message = message
        self.details = list(details)


class InvalidArgumentError(CarepathError): code = "CAREPATH_ERROR_INVALID_ARGUMENT"
class TableIOError(CarepathError): code = "CAREPATH_ERROR_IO"
class MalformedTableError(CarepathError): code = "CAREPATH_ERROR_MALFORMED_TABLE"
class UnsupportedTableError(CarepathError): code = "CAREPATH_ERROR_UNSUPPORTED_TABLE"
class TamperedTableError(CarepathError): code = "CAREPATH_ERROR_TAMPERED_TABLE"
class UnverifiedTableError(CarepathError): code = "CAREPATH_ERROR_UNVERIFIED_TABLE"
class MalformedPatientError(CarepathError): code = "CAREPATH_ERROR_MALFORMED_PATIENT"
class InvalidPatientError(CarepathError): code = "CAREPATH_ERROR_INVALID_PATIENT"
class CarepathArithmeticError(CarepathError): code = "CAREPATH_ERROR_ARITHMETIC"
class UndefinedAmountError(CarepathError): code = "CAREPATH_ERROR_UNDEFINED_AMOUNT"
class CarepathMemoryError(CarepathError): code = "CAREPATH_ERROR_OUT_OF_MEMORY"
class InternalError(CarepathError): code = "CAREPATH_ERROR_INTERNAL"
class UnsignedTableError(CarepathError): code = "CAREPATH_ERROR_UNSIGNED_TABLE"
class UntrustedSignatureError(CarepathError): code = "CAREPATH_ERROR_UNTRUSTED_SIGNATURE"
class BadSignatureError(CarepathError): code = "CAREPATH_ERROR_BAD_SIGNATURE"
class InvalidKeyError(CarepathError): code = "CAREPATH_ERROR_INVALID_KEY"


# By carepath_status value (stable: docs/runtime.md).
_ERRORS = {1: InvalidArgumentError, 2: TableIOError, 3: MalformedTableError, 4: UnsupportedTableError,
           5: TamperedTableError, 6: UnverifiedTableError, 7: MalformedPatientError, 8: InvalidPatientError,
           9: CarepathArithmeticError, 10: UndefinedAmountError, 11: CarepathMemoryError, 12: InternalError,
           13: UnsignedTableError, 14: UntrustedSignatureError, 15: BadSignatureError, 16: InvalidKeyError}


def _raise(status: int, error: ctypes.c_void_p):
    """Raises the exception for `status`, taking ownership of `error`."""
    try:
        details = []
        message = _status_name(status).decode() or f"carepath status {status}"
        if error:
            message = _str(_error_message(error))
            for i in range(_error_detail_count(error)):
                p = _error_detail_problem(error, i)
                details.append(ErrorDetail(_PROBLEMS[p] if 0 <= p < len(_PROBLEMS) else str(p),
                                           _str(_error_detail_input(error, i)),
                                           _str(_error_detail_expected(error, i)),
                                           _str(_error_detail_found(error, i)),
                                           _str(_error_detail_message(error, i))))
    finally:
        _error_free(error)
    raise _ERRORS.get(status, InternalError)(message, details)

# ------------------------------------------------------------------ tables

_KINDS = {0: "bool", 1: "enum", 2: "number", 3: "string"}


@dataclass(frozen=True)
class Input:
    """What the table asks: `kind` is "bool", "enum", "number" or "string";
    for numbers the author's `unit` ("" when dimensionless), its `dimension`,
    the `units` a patient may use and the inclusive range (`minimum`,
    `maximum`: exact, in `unit`; None when unbounded)."""
    name: str
    kind: str
    optional: bool
    integer: bool = False
    unit: str = ""
    dimension: str = ""
    units: Tuple[str, ...] = ()
    minimum: Optional[Fraction] = None
    maximum: Optional[Fraction] = None
    members: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    name: str
    actions: Tuple[Tuple[str, str], ...]  # (kind, name): ("give", "aspirin"), ("do", "admit")


@dataclass(frozen=True)
class DecisionTable:
    """A table, or a pathway (whose rules are its tiers)."""
    name: str
    pathway: bool
    hit_policy: str
    rules: Tuple[Rule, ...]


def _bound(fn, handle, i) -> Optional[Fraction]:
    num, den = ctypes.c_int64(), ctypes.c_int64()
    if not fn(handle, i, ctypes.byref(num), ctypes.byref(den)):
        return None
    return Fraction(num.value, den.value)


def _fraction(text: Optional[str]) -> Optional[Fraction]:
    return None if text is None else Fraction(text)


@dataclass(frozen=True)
class Plan:
    """A give's treatment plan (docs/tables.md, "plan"): exact amounts in the
    action's canonical unit for one dose, a day and the whole course (each a
    Fraction, or None where the protocol does not say; a dose range's high
    ends in the *_high fields, equal to the low ones otherwise), the most
    doses and the interval between them in hours; `display` for people
    ("420 mg per day, 2100 mg per course")."""
    per_dose: Optional[Fraction]
    per_day: Optional[Fraction]
    per_course: Optional[Fraction]
    doses: Optional[Fraction]
    interval: Optional[Fraction]
    display: str
    per_dose_high: Optional[Fraction] = None
    per_day_high: Optional[Fraction] = None
    per_course_high: Optional[Fraction] = None

    @staticmethod
    def _from(p: Dict[str, Any]) -> "Plan":
        low = {k: _fraction(p.get(k)) for k in ("perDose", "perDay", "perCourse")}
        high = {k: _fraction(p[k + "High"]) if k + "High" in p else low[k] for k in low}
        return Plan(per_dose=low["perDose"], per_day=low["perDay"], per_course=low["perCourse"],
                    doses=_fraction(p.get("doses")), interval=_fraction(p.get("interval")),
                    display=p.get("display", ""), per_dose_high=high["perDose"], per_day_high=high["perDay"],
                    per_course_high=high["perCourse"])


@dataclass(frozen=True)
class Code:
    """A terminology code of the protocol (docs/tables.md, "Codes"): what it
    codes (`target` "input", "member", "drug", "route" or "action", and its
    `name`: "weight", a member "consciousness.coma"), and either a code
    (`system`, the URI such as "http://loinc.org", `code`, `display`) or why
    none is known (`unspecified`; then system, code and display are "")."""
    target: str
    name: str
    system: str = ""
    code: str = ""
    display: str = ""
    unspecified: Optional[str] = None


@dataclass(frozen=True)
class CourseState:
    """Where the patient is on a course pathway after this evaluation
    (docs/semantics.md, "The course"): `next` maps each state input the next
    evaluation reads (`on_P`, `P_T_state`) to its value ("true", "false", a
    member; "unknown" or "missing" when a missing value decided it), and
    `exits` are the exits taken."""
    pathway: str
    next: Dict[str, str]
    exits: Tuple[str, ...]


@dataclass(frozen=True)
class Contraindication:
    """A contraindication of a give's drug that holds (`truth` "true") or
    may hold ("unknown": it needs a missing value) for the patient
    (docs/runtime.md, "Contraindications"): `when` as written, its `note`
    and citations. The verifier proves none does for a verified protocol's
    patients; for others, this is the check."""
    when: str
    note: str
    citations: Tuple[str, ...]
    truth: str


@dataclass(frozen=True)
class DrugContraindication:
    """A drug's `contraindicated when C "note" [cites]`, as the table holds
    it (Table.contraindications; docs/tables.md, "Contraindications")."""
    drug: str
    when: str
    note: str
    citations: Tuple[str, ...]


@dataclass(frozen=True)
class Action:
    """A fired action of the treatment plan. `source` is where it is written
    ("table.rule", "pathway.tier"); for a give with an amount, `amount` is
    the exact dose (a Fraction), or None for a dose range, given as `low` and
    `high`; all three in `unit`, the canonical unit ("mg", "mg/day");
    `display` is the dose for people ("420 mg per day"). An alternative of a
    `one of` has `choice` and `option` (its choice in the rule, its
    alternative in it; None for an action given outright): offered for the
    clinician to choose, not given."""
    source: str
    kind: str
    name: str
    low: Optional[Fraction] = None
    high: Optional[Fraction] = None
    unit: str = ""
    display: str = ""
    basis: str = ""
    timing: str = ""
    note: str = ""
    citations: Tuple[str, ...] = ()
    choice: Optional[int] = None
    option: Optional[int] = None
    route: str = ""  # a give's route ("iv", "buccal"); "" when the protocol names none
    plan: Optional[Plan] = None  # a give's treatment plan, when the table carries one
    # Its terminology codes (Table.action_codes): a give's drug's, then its
    # route's; another action's own.
    codes: Tuple[Code, ...] = ()
    # A give's drug's contraindications that hold or may hold (only in a
    # table with contraindications; empty otherwise).
    contraindications: Tuple[Contraindication, ...] = ()

    @property
    def amount(self) -> Optional[Fraction]:
        return self.low if self.low is not None and self.low == self.high else None

    @property
    def is_range(self) -> bool:
        return self.low is not None and self.low != self.high


@dataclass(frozen=True)
class Output:
    """A table output: its `value` (as the result JSON gives it: a string,
    or None when missing or when the table decides a list), and `values`,
    the (rule, value) pairs of the fired rules in result order."""
    table: str
    output: str
    value: Optional[str]
    values: Tuple[Tuple[str, Optional[str]], ...]


@dataclass
class Result:
    """One evaluation: the treatment plan (`actions`), the rules that fired
    and those left undecided by a missing value ("table.rule"), the table
    outputs, and with explain=True the explanation: `trace` (one entry per
    rule: the conditions checked, the values read) and `patient` (each
    input's value as read, "missing" when absent). `json` is the whole
    result document (docs/runtime.md, "Result JSON")."""
    in_population: bool
    actions: List[Action]
    fired: List[str]
    undecided: List[str]
    outputs: Dict[str, Output]
    violations: List[Any]
    trace: Optional[List[Dict[str, Any]]]
    patient: Optional[Dict[str, Any]]
    json: Dict[str, Any] = field(repr=False)
    # The assumptions (Table.assumptions) the patient violates: the decision
    # is still made, but the protocol was verified for no such patient.
    assumptions_violated: List[str] = field(default_factory=list)
    # The course pathways whose state the record gives no course from a
    # fresh patient produces (docs/runtime.md): the course proofs say nothing
    # about this record, so flag it as for an assumption.
    course_states_unreachable: List[str] = field(default_factory=list)
    # The sets of course pathways read together (each a list of pathway
    # names) whose joint state no course produces, though each pathway's
    # own state is reachable: flag it likewise.
    joint_course_states_unreachable: List[List[str]] = field(default_factory=list)
    # Course pathways: where the patient is after this evaluation.
    course: List[CourseState] = field(default_factory=list)


@dataclass(frozen=True)
class BatchRow:
    """One patient of Table.evaluate_many: `status` ("CAREPATH_OK" or the
    code of why this patient could not be evaluated), whether it is in the
    population, and the rules that fired ("table.rule")."""
    status: str
    in_population: bool
    fired: Tuple[str, ...]


def _where(entry: Dict[str, Any]) -> str:
    if "pathway" in entry:
        return f"{entry['pathway']}.{entry['tier']}"
    return f"{entry['table']}.{entry['rule']}"


class Table:
    """A loaded, immutable decision table (safe to share between threads)."""

    def __init__(self, handle: ctypes.c_void_p):
        self._handle = handle
        h = handle
        self.name = _str(_protocol_name(h))
        self.version = _str(_protocol_version(h))
        self.digest = _str(_digest(h))
        self.verification = _str(_verification(h))
        # The key whose signature was checked ("ed25519:<hex>"); "" when
        # loaded without a TrustStore.
        self.signer = _str(_signer(h))
        inputs = []
        for i in range(_input_count(h)):
            kind = _KINDS.get(_input_kind(h, i), "?")
            number = kind == "number"
            inputs.append(Input(
                name=_str(_input_name(h, i)), kind=kind, optional=bool(_input_optional(h, i)),
                integer=bool(_input_integer(h, i)),
                unit=_str(_input_unit(h, i)) if number else "",
                dimension=_str(_input_dimension(h, i)) if number else "",
                units=tuple(_str(_input_unit_name(h, i, u)) for u in range(_input_unit_count(h, i))),
                minimum=_bound(_input_min, h, i) if number else None,
                maximum=_bound(_input_max, h, i) if number else None,
                members=tuple(_str(_input_member(h, i, m)) for m in range(_input_member_count(h, i)))))
        self.inputs: Tuple[Input, ...] = tuple(inputs)
        tables = []
        for t in range(_table_count(h)):
            rules = tuple(
                Rule(_str(_rule_name(h, t, r)),
                     tuple((_str(_action_kind(h, t, r, a)), _str(_action_name(h, t, r, a)))
                           for a in range(_action_count(h, t, r))))
                for r in range(_rule_count(h, t)))
            tables.append(DecisionTable(_str(_table_name(h, t)), bool(_table_is_pathway(h, t)),
                                        _str(_table_hit_policy(h, t)), rules))
        self.tables: Tuple[DecisionTable, ...] = tuple(tables)
        # The population assumptions: name -> the condition as written. The
        # protocol was verified only for patients who satisfy them.
        self.assumptions: Dict[str, str] = {
            _str(_assumption_name(h, i)): _str(_assumption_condition(h, i)) for i in range(_assumption_count(h))}
        # The terminology codes, in the table's order (docs/tables.md, "Codes").
        self.codes: Tuple[Code, ...] = tuple(
            Code(_str(_code_target(h, i)), _str(_code_name(h, i)), _str(_code_system(h, i)), _str(_code_code(h, i)),
                 _str(_code_display(h, i)),
                 _str(_code_unspecified(h, i)) if _code_unspecified(h, i) is not None else None)
            for i in range(_code_count(h)))

        # The drugs' contraindications, in the table's order.
        self.contraindications: Tuple[DrugContraindication, ...] = tuple(
            DrugContraindication(_str(_contra_drug(h, i)), _str(_contra_condition(h, i)), _str(_contra_note(h, i)),
                                 tuple(_str(_contra_citation(h, i, k)) for k in range(_contra_citation_count(h, i))))
            for i in range(_contra_count(h)))

    def codings(self, target: str, name: str) -> Tuple[Code, ...]:
        """The codes (not the unspecified ones) of one input, member
        ("input.member"), drug, route or action."""
        return tuple(c for c in self.codes if c.target == target and c.name == name and c.unspecified is None)

    def action_codes(self, table: int, rule: int, action: int) -> Tuple[Code, ...]:
        """The codes of an action (indices as in Table.tables): a give's
        drug's, then its route's; another action's own."""
        h = self._handle
        return tuple(self.codes[_action_code(h, table, rule, action, k)]
                     for k in range(_action_code_count(h, table, rule, action)))

    def __del__(self):
        if getattr(self, "_handle", None):
            _table_free(self._handle)
            self._handle = None

    def __repr__(self):
        return f"<carepath.Table {self.name} {self.version} ({self.verification})>"

    def input(self, name: str) -> Input:
        for i in self.inputs:
            if i.name == name:
                return i
        raise KeyError(name)

    def evaluate(self, patient: Union[Dict[str, Any], str], explain: bool = False) -> Result:
        """Evaluates one patient: a dict (or its JSON text) of input name to
        value (true/false, a member's name, a number, "14 kg", {"value": 14,
        "unit": "kg"}, a string; None or left out for a missing optional
        input). Raises a CarepathError subclass on failure."""
        text = patient if isinstance(patient, str) else json.dumps(patient)
        result = _result_new()
        if not result:
            raise CarepathMemoryError("out of memory")
        try:
            error = _p()
            status = _evaluate_into(self._handle, text.encode("utf-8"), _EXPLAIN if explain else 0, result,
                                    ctypes.byref(error))
            if status != 0:
                _raise(status, error)
            return self._read(result)
        finally:
            _result_free(result)

    def evaluate_many(self, patients: List[Dict[str, Any]]) -> List[BatchRow]:
        """Evaluates many patients in one call, without JSON
        (carepath_table_evaluate_columns): each a dict of input name to
        value: True/False, a member's name, a str for a string input, a
        number (int, Fraction or decimal string) in the input's unit
        (`Input.unit`: 14 for "14 kg"), None or left out when missing. A
        patient that cannot be evaluated gets its status in its row; the
        others are evaluated all the same."""
        n = len(patients)
        keep = []  # the encoded strings, alive during the call
        columns = (ctypes.POINTER(_Value) * len(self.inputs))()
        for i, spec in enumerate(self.inputs):
            column = (_Value * max(n, 1))()
            for k, patient in enumerate(patients):
                v = patient.get(spec.name)
                cell = column[k]
                cell.den = 1
                if v is None:
                    cell.missing = 1
                elif spec.kind == "bool":
                    cell.num = 1 if v is True else 0 if v is False else 2
                elif spec.kind == "enum":
                    cell.num = spec.members.index(v) if v in spec.members else -1
                elif spec.kind == "string":
                    keep.append(str(v).encode("utf-8"))
                    cell.text = keep[-1]
                else:
                    f = Fraction(v)
                    if not (-2**63 < f.numerator < 2**63 and f.denominator < 2**63):
                        raise ValueError(f"{spec.name}: {v} is too large or too precise")
                    cell.num, cell.den = f.numerator, f.denominator
            keep.append(column)
            columns[i] = ctypes.cast(column, ctypes.POINTER(_Value))
        total = _rule_total(self._handle)
        status = (ctypes.c_int32 * max(n, 1))()
        inside = (ctypes.c_uint8 * max(n, 1))()
        fired = (ctypes.c_uint8 * max(n * total, 1))()
        _evaluate_columns(self._handle, n, columns, status, inside, fired, None)
        names = [f"{t.name}.{r.name}" for t in self.tables for r in t.rules]
        return [BatchRow(_str(_status_name(status[k])), bool(inside[k]),
                         tuple(names[j] for j in range(total) if fired[k * total + j]))
                for k in range(n)]

    def _contraindications(self, r, i: int) -> Tuple[Contraindication, ...]:
        """Fired action i's drug's contraindications that hold or may hold,
        from the C API, with the table's words for each."""
        out = []
        for k in range(_result_contra_count(r, i)):
            truth = ctypes.c_int(0)
            c = self.contraindications[_result_contra(r, i, k, ctypes.byref(truth))]
            out.append(Contraindication(c.when, c.note, c.citations, "true" if truth.value == _TRUTH_TRUE else "unknown"))
        return tuple(out)

    def _read(self, r) -> Result:
        doc = json.loads(_str(_result_json(r)))
        described = doc.get("actions", [])
        actions = []
        for i in range(_result_action_count(r)):
            t, rule, a = _z(), _z(), _z()
            _result_action(r, i, ctypes.byref(t), ctypes.byref(rule), ctypes.byref(a))
            ln, ld, hn, hd = (ctypes.c_int64() for _ in range(4))
            low = high = None
            if _result_action_amount(r, i, ctypes.byref(ln), ctypes.byref(ld), ctypes.byref(hn), ctypes.byref(hd)):
                low, high = Fraction(ln.value, ld.value), Fraction(hn.value, hd.value)
            d = described[i] if i < len(described) else {}
            h = self._handle
            actions.append(Action(
                source=f"{_str(_table_name(h, t.value))}.{_str(_rule_name(h, t.value, rule.value))}",
                kind=_str(_action_kind(h, t.value, rule.value, a.value)),
                name=_str(_action_name(h, t.value, rule.value, a.value)),
                low=low, high=high, unit=d.get("canonicalUnit", ""), display=_str(_result_action_dose(r, i)),
                basis=d.get("basis", ""), timing=d.get("timing", ""), note=d.get("note", ""),
                citations=tuple(d.get("citations", [])), choice=d.get("choice"), option=d.get("option"),
                route=d.get("route", ""), plan=Plan._from(d["plan"]) if d.get("plan") else None,
                codes=self.action_codes(t.value, rule.value, a.value) if self.codes else (),
                contraindications=self._contraindications(r, i)))
        outputs = {}
        for o in doc.get("outputs", []):
            key = f"{o['table']}.{o['output']}"
            outputs[key] = Output(o["table"], o["output"], o.get("value"),
                                  tuple((f["rule"], f.get("value")) for f in o.get("from", [])))
        return Result(in_population=bool(_result_in_population(r)), actions=actions,
                      fired=[_where(f) for f in doc.get("fired", [])],
                      undecided=[_where(u) for u in doc.get("undecided", [])],
                      outputs=outputs, violations=doc.get("violations", []),
                      trace=doc.get("trace"), patient=doc.get("patient"), json=doc,
                      assumptions_violated=[_str(_assumption_name(self._handle, _result_violated(r, k)))
                                            for k in range(_result_violated_count(r))],
                      course_states_unreachable=[_str(_table_name(self._handle, _result_unreachable(r, k)))
                                                 for k in range(_result_unreachable_count(r))],
                      joint_course_states_unreachable=[
                          [_str(_table_name(self._handle, _joint_pathway(self._handle, _result_unreachable_joint(r, k), i)))
                           for i in range(_joint_pathway_count(self._handle, _result_unreachable_joint(r, k)))]
                          for k in range(_result_unreachable_joint_count(r))],
                      course=[CourseState(c["pathway"], dict(c["next"]), tuple(c["exits"]))
                              for c in doc.get("course", [])])


def _opened(status, handle, error) -> Table:
    if status != 0:
        _raise(status, error)
    return Table(handle)


class TrustStore:
    """Trusted Ed25519 public keys (PEM, as `openssl pkey -in KEY -pubout`
    writes them; docs/runtime.md, "Trusted tables"). A table loaded with a
    store must be signed by one of its keys (UnsignedTableError,
    UntrustedSignatureError, BadSignatureError otherwise)."""

    def __init__(self, *files: Union[str, os.PathLike]):
        self._handle = _trust_new()
        if not self._handle:
            raise MemoryError("carepath_trust_new")
        for f in files:
            self.add_file(f)

    def add_file(self, path: Union[str, os.PathLike]) -> None:
        """Adds every public key of a PEM file; InvalidKeyError, TableIOError."""
        error = _p()
        status = _trust_add_file(self._handle, os.fsencode(path), ctypes.byref(error))
        if status != 0:
            _raise(status, error)

    def add_pem(self, text: Union[str, bytes]) -> None:
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        error = _p()
        status = _trust_add_pem(self._handle, data, len(data), ctypes.byref(error))
        if status != 0:
            _raise(status, error)

    def __len__(self) -> int:
        return _trust_key_count(self._handle)

    def __del__(self):
        if getattr(self, "_handle", None):
            _trust_free(self._handle)
            self._handle = None


def load(path: Union[str, os.PathLike], allow_unverified: bool = False, trust: Optional[TrustStore] = None) -> Table:
    """Loads a compiled table (`carepath compile`). Refuses a table that is
    not verified unless allow_unverified, and, given a TrustStore, one not
    signed by a trusted key; raises a CarepathError subclass."""
    handle, error = _p(), _p()
    flags = _ALLOW_UNVERIFIED if allow_unverified else 0
    if trust is None:
        status = _open_file(os.fsencode(path), flags, ctypes.byref(handle), ctypes.byref(error))
    else:
        status = _open_file_trusted(os.fsencode(path), flags, trust._handle, ctypes.byref(handle), ctypes.byref(error))
    return _opened(status, handle, error)


def loads(text: Union[str, bytes], allow_unverified: bool = False, trust: Optional[TrustStore] = None) -> Table:
    """Loads a table from its JSON text."""
    data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    handle, error = _p(), _p()
    flags = _ALLOW_UNVERIFIED if allow_unverified else 0
    if trust is None:
        status = _open_string(data, len(data), flags, ctypes.byref(handle), ctypes.byref(error))
    else:
        status = _open_string_trusted(data, len(data), flags, trust._handle, ctypes.byref(handle), ctypes.byref(error))
    return _opened(status, handle, error)
