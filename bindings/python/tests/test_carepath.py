"""unittest tests of the Python binding (ctest: python_binding). Needs
CAREPATH_LIBRARY (libcarepath.so), CAREPATH_CONFORMANCE_TABLES (the
conformance suite's compiled tables), CAREPATH (the compiler) and the
binding on PYTHONPATH."""
import json
import os
import subprocess
import sys
import tempfile
import unittest
from fractions import Fraction

import carepath

TABLES = os.environ["CAREPATH_CONFORMANCE_TABLES"]
CONFORMANCE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "conformance")
sys.path.insert(0, CONFORMANCE)
import conformance  # noqa: E402

TODDLER = {"age": "3 years", "weight": "14 kg", "temp": "39 degC", "alt": "120 U_per_L",
           "c1": True, "c2": True, "c3": False, "c4": False, "stage": "late"}


def table(name, **kw):
    return carepath.load(os.path.join(TABLES, name + ".table.json"), **kw)


class Loading(unittest.TestCase):
    def test_facts(self):
        t = table("dosing")
        self.assertEqual((t.name, t.version, t.verification), ("dosing", "1", "verified"))
        self.assertTrue(t.digest.startswith("sha256:"))
        self.assertRegex(carepath.runtime_version(), r"^\d+\.\d+\.\d+$")

    def test_missing_file(self):
        with self.assertRaises(carepath.TableIOError) as cm:
            carepath.load(os.path.join(TABLES, "no-such.table.json"))
        self.assertEqual(cm.exception.code, "CAREPATH_ERROR_IO")
        self.assertEqual(len(cm.exception.details), 1)
        self.assertEqual(cm.exception.details[0].problem, "NONE")

    def test_malformed_and_tampered(self):
        with self.assertRaises(carepath.MalformedTableError):
            carepath.loads("{not json")
        with open(os.path.join(TABLES, "dosing.table.json"), encoding="utf-8") as f:
            text = f.read()
        self.assertEqual(carepath.loads(text).name, "dosing")
        doc = json.loads(text)
        doc["protocol"]["version"] = "2"
        with self.assertRaises(carepath.TamperedTableError) as cm:
            carepath.loads(json.dumps(doc))
        self.assertIsInstance(cm.exception, carepath.CarepathError)

    def test_unverified_refused_unless_allowed(self):
        with self.assertRaises(carepath.UnverifiedTableError):
            table("errors")
        self.assertEqual(table("errors", allow_unverified=True).verification, "unverified")

    def test_path_like(self):
        import pathlib
        self.assertEqual(carepath.load(pathlib.Path(TABLES) / "policies.table.json").name, "policies")


def _openssl(*args, input=None):
    import subprocess
    return subprocess.run(["openssl", *args], input=input, capture_output=True, check=True).stdout


def _sign(text, key_pem_path):
    """Signs a table as docs/tables.md ("Signature") describes it, with the
    openssl tool: an independent reading of the format."""
    import base64
    import hashlib
    doc = json.loads(text)
    doc.pop("digest", None)
    doc.pop("signature", None)
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    with tempfile.TemporaryDirectory() as work:
        message = os.path.join(work, "message")
        with open(message, "wb") as f:
            f.write(b"carepath-table-signature-v1\n" + canonical.encode("utf-8"))
        signature = _openssl("pkeyutl", "-sign", "-inkey", key_pem_path, "-rawin", "-in", message)
    raw = _openssl("pkey", "-in", key_pem_path, "-pubout", "-outform", "DER")[-32:]
    doc["signature"] = {"algorithm": "ed25519", "keyId": "ed25519:" + hashlib.sha256(raw).hexdigest(),
                        "value": base64.b64encode(signature).decode()}
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    doc["digest"] = "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return json.dumps(doc, indent=2), doc["signature"]["keyId"]


@unittest.skipUnless(__import__("shutil").which("openssl"), "needs the openssl tool (scripts/deps.sh)")
class Signing(unittest.TestCase):
    """Trusted loads: keys made here with the openssl tool (none committed)."""

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.TemporaryDirectory()
        w = cls.work.name
        for name in ("key", "other"):
            _openssl("genpkey", "-algorithm", "ed25519", "-out", os.path.join(w, name + ".pem"))
            _openssl("pkey", "-in", os.path.join(w, name + ".pem"), "-pubout", "-out", os.path.join(w, name + ".pub.pem"))
        with open(os.path.join(TABLES, "dosing.table.json"), encoding="utf-8") as f:
            cls.unsigned = f.read()
        cls.signed, cls.key_id = _sign(cls.unsigned, os.path.join(w, "key.pem"))

    @classmethod
    def tearDownClass(cls):
        cls.work.cleanup()

    def path(self, name):
        return os.path.join(self.work.name, name)

    def test_valid_signature(self):
        trust = carepath.TrustStore(self.path("other.pub.pem"), self.path("key.pub.pem"))
        self.assertEqual(len(trust), 2)
        t = carepath.loads(self.signed, trust=trust)
        self.assertEqual(t.signer, self.key_id)
        self.assertEqual(carepath.loads(self.signed).signer, "")

    def test_refusals(self):
        trust = carepath.TrustStore(self.path("key.pub.pem"))
        with self.assertRaises(carepath.UnsignedTableError):
            carepath.loads(self.unsigned, trust=trust)
        with self.assertRaises(carepath.UntrustedSignatureError):
            carepath.loads(self.signed, trust=carepath.TrustStore(self.path("other.pub.pem")))
        # Edited, with the digest recomputed (anyone can) but the old signature.
        import hashlib
        tampered = json.loads(self.signed)
        tampered["protocol"]["version"] = "2"
        tampered.pop("digest")
        tampered["digest"] = "sha256:" + hashlib.sha256(json.dumps(
            tampered, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
        with self.assertRaises(carepath.BadSignatureError) as cm:
            carepath.loads(json.dumps(tampered), trust=trust)
        self.assertIn("does not match the content", cm.exception.message)

    def test_bad_keys(self):
        trust = carepath.TrustStore()
        with self.assertRaises(carepath.InvalidKeyError) as cm:
            trust.add_file(self.path("key.pem"))
        self.assertIn("a private key", cm.exception.message)
        with self.assertRaises(carepath.InvalidKeyError):
            trust.add_pem("not a key")
        with self.assertRaises(carepath.TableIOError):
            trust.add_file(self.path("absent.pem"))
        self.assertEqual(len(trust), 0)


class Introspection(unittest.TestCase):
    def test_inputs(self):
        t = table("dosing")
        self.assertEqual([i.name for i in t.inputs][:4], ["age", "weight", "temp", "alt"])
        w = t.input("weight")
        self.assertEqual((w.kind, w.unit, w.dimension, w.optional), ("number", "kg", "mass", False))
        self.assertEqual((w.minimum, w.maximum), (Fraction(2), Fraction(150)))
        self.assertIn("g", w.units)
        self.assertTrue(t.input("alt").optional)
        self.assertEqual(t.input("stage").members, ("early", "late"))
        self.assertEqual(t.input("c1").kind, "bool")
        p = table("policies")
        self.assertTrue(p.input("score").integer)
        self.assertEqual(p.input("note").kind, "string")
        with self.assertRaises(KeyError):
            t.input("height")

    def test_tables(self):
        t = table("policies")
        policies = {d.name: d.hit_policy for d in t.tables}
        self.assertEqual(policies["prio"], "priority")
        self.assertEqual(policies["ranked"], "output order")
        uniq = next(d for d in t.tables if d.name == "uniq")
        self.assertEqual([r.name for r in uniq.rules], ["low", "mid", "high"])
        self.assertEqual(uniq.rules[0].actions, (("do", "low_care"),))


class Assumptions(unittest.TestCase):
    def test_assumptions(self):
        t = table("choices")
        self.assertEqual(t.assumptions, {"infant_weight": "age >= 1 year or weight <= 15 kg"})
        self.assertEqual(table("policies").assumptions, {})
        base = {"elapsed": "45 minutes", "seizing": True, "metabolic": False}
        self.assertEqual(t.evaluate({**base, "age": "6 months", "weight": "40 kg"}).assumptions_violated, ["infant_weight"])
        self.assertEqual(t.evaluate({**base, "age": "6 months", "weight": "7 kg"}).assumptions_violated, [])

    def test_course_states_unreachable(self):
        # A record in a course state no course produces (docs/runtime.md):
        # on the pathway with first line not started, which entering starts.
        t = table("course")
        fresh = {"age": "3 years", "fever": True, "coma": True, "transferred": False, "presentation": "2 h",
                 "first_dose": None, "on_care": False, "care_first_line_state": "not_started",
                 "care_second_line_state": "not_started", "care_no_further_line_state": "not_started",
                 "care_follow_up_state": "not_started"}
        self.assertEqual(t.evaluate(fresh).course_states_unreachable, [])
        self.assertEqual(t.evaluate({**fresh, "on_care": True}).course_states_unreachable, ["care"])
        self.assertEqual(t.evaluate({**fresh, "on_care": True, "care_first_line_state": "on"}).course_states_unreachable, [])
        self.assertEqual(table("choices").evaluate({"elapsed": "45 minutes", "seizing": True, "metabolic": False,
                                                    "age": "6 months", "weight": "7 kg"}).course_states_unreachable, [])

    def test_joint_course_states_unreachable(self):
        # Two course pathways read together (docs/runtime.md): each state
        # reachable alone, both on never together. The table is compiled
        # here (CAREPATH: the compiler, set by ctest).
        src = os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "runtime", "Inputs",
                           "course-joint-states.care")
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "joint.json")
            subprocess.run([os.environ["CAREPATH"], "compile", src, "-o", out], check=True)
            t = carepath.load(out)
        fresh = {"age": "3 years", "fever": False, "rash": False, "on_care": False, "care_first_state": "not_started",
                 "on_watch": False, "watch_look_state": "not_started"}
        both = {**fresh, "on_care": True, "care_first_state": "on", "on_watch": True, "watch_look_state": "on"}
        self.assertEqual(t.evaluate(fresh).joint_course_states_unreachable, [])
        self.assertEqual(t.evaluate(both).joint_course_states_unreachable, [["care", "watch"]])
        self.assertEqual(t.evaluate(both).course_states_unreachable, [])
        self.assertEqual(t.evaluate({**both, "on_watch": False, "watch_look_state": "not_started"})
                         .joint_course_states_unreachable, [])

    def test_contraindications(self):
        # The table's (docs/tables.md, "Contraindications") and, per offered
        # give, those that hold or may hold, through the C API.
        t = table("errors", allow_unverified=True)
        self.assertEqual(t.contraindications, (carepath.DrugContraindication(
            "contra_drug", "renal_failure", "illustrative: renal failure", ("S1",)),))
        self.assertEqual(table("policies").contraindications, ())
        base = {"weight": "20 kg", "route": "contra"}
        holds = carepath.Contraindication("renal_failure", "illustrative: renal failure", ("S1",), "true")
        self.assertEqual(t.evaluate({**base, "renal_failure": True}).actions[0].contraindications, (holds,))
        self.assertEqual([c.truth for c in t.evaluate(base).actions[0].contraindications], ["unknown"])
        self.assertEqual(t.evaluate({**base, "renal_failure": False}).actions[0].contraindications, ())
        # Another drug: none.
        self.assertEqual(t.evaluate({"weight": "20 kg", "route": "ranged", "renal_failure": True}).actions[0].contraindications, ())

    def test_route(self):
        r = table("dosing").evaluate(TODDLER)
        routes = {a.name: a.route for a in r.actions if a.kind == "give"}
        self.assertEqual(routes["third_drug"], "intravenous")
        self.assertEqual(routes["range_drug"], "oral")

    def test_codes(self):
        # Terminology codes (docs/tables.md, "Codes"): the table's list, a
        # target's codings, and each fired action's (its drug's, then its route's).
        t = table("dosing")
        weight = carepath.Code("input", "weight", "http://loinc.org", "29463-7", "Body weight")
        self.assertIn(weight, t.codes)
        self.assertEqual(t.codings("input", "weight"), (weight,))
        self.assertEqual(t.codings("drug", "third_drug"), ())  # unspecified: no coding
        third = [c for c in t.codes if c.target == "drug" and c.name == "third_drug"]
        self.assertEqual(third[0].unspecified, "an illustrative drug has no RxNorm code")
        self.assertEqual(third[0].system, "")
        gives = {a.name: a for a in t.evaluate(TODDLER).actions if a.kind == "give"}
        self.assertEqual([c.code for c in gives["third_drug"].codes], ["47625008"])
        self.assertEqual([c.display for c in gives["range_drug"].codes], ["Oral route"])
        self.assertEqual(table("policies").codes, ())


class Evaluation(unittest.TestCase):
    def test_treatment_plan_exact(self):
        r = table("dosing").evaluate(TODDLER)
        self.assertTrue(r.in_population)
        gives = {a.name: a for a in r.actions if a.kind == "give"}
        ivig = gives["third_drug"]
        self.assertEqual(ivig.amount, Fraction(14000, 3))
        self.assertIsInstance(ivig.amount, Fraction)
        self.assertEqual((ivig.unit, ivig.basis, ivig.source), ("mg", "total", "third.small"))
        self.assertIn("exactly 14/3", ivig.display)
        aspirin = gives["range_drug"]
        self.assertTrue(aspirin.is_range)
        self.assertIsNone(aspirin.amount)
        self.assertEqual((aspirin.low, aspirin.high), (Fraction(420), Fraction(700)))
        self.assertIn("counting.enough", r.fired)
        self.assertEqual(r.undecided, [])

    def test_plan_and_course(self):
        gives = {a.name: a for a in table("dosing").evaluate(TODDLER).actions}
        third = gives["third_drug"].plan
        self.assertEqual(third.per_course, Fraction(14000, 3))
        self.assertIsInstance(third.per_course, Fraction)
        self.assertIsNone(third.per_day)
        ranged = gives["range_drug"].plan
        self.assertEqual((ranged.per_day, ranged.per_day_high), (Fraction(420), Fraction(700)))
        self.assertEqual(ranged.display, "420 mg .. 700 mg per day")
        self.assertEqual(gives["pulse_drug"].plan.per_day_high, Fraction(420))
        self.assertIsNone(gives["child_care"].plan)
        # A transferred patient on first line: leaves the pathway by its exit.
        course = table("course").evaluate({
            "age": "3 years", "fever": True, "coma": True, "transferred": True, "presentation": "2 h",
            "first_dose": None, "on_care": True, "care_first_line_state": "on",
            "care_second_line_state": "not_started", "care_no_further_line_state": "not_started",
            "care_follow_up_state": "not_started"})
        self.assertEqual(course.course, [carepath.CourseState("care", {
            "on_care": "false", "care_first_line_state": "on", "care_second_line_state": "not_started",
            "care_no_further_line_state": "not_started", "care_follow_up_state": "not_started"},
            ("transferred_out",))])
        self.assertEqual(table("dosing").evaluate(TODDLER).course, [])

    def test_missing_values_and_explanation(self):
        patient = dict(TODDLER)
        del patient["alt"]
        patient["stage"] = None
        r = table("dosing").evaluate(patient, explain=True)
        self.assertEqual(r.undecided, ["liver.raised"])
        self.assertEqual(r.patient["alt"], "missing")
        raised = next(e for e in r.trace if e["table"] == "liver" and e["rule"] == "raised")
        self.assertEqual(raised["missing"], ["alt"])
        self.assertFalse(raised["fired"])
        self.assertIsNone(table("dosing").evaluate(TODDLER).trace)

    def test_outputs(self):
        r = table("policies").evaluate({"fever": True, "rash": True, "cough": False, "score": 4, "level": "amber"})
        self.assertEqual(r.outputs["points.points"].value, "3")
        ranked = r.outputs["ranked.flag"]
        self.assertIsNone(ranked.value)
        self.assertEqual(ranked.values, (("r", "urgent"), ("f", "routine")))

    def test_evaluate_many(self):
        # The columnar batch call fires what evaluate() fires, patient by
        # patient; a bad patient gets its status and stops no other.
        t = table("dosing")
        toddler = dict(TODDLER, age=3, weight=14, temp=39, alt=120)  # in each input's unit
        self.assertEqual((t.input("age").unit, t.input("weight").unit), ("years", "kg"))
        heavy = dict(toddler, weight=Fraction(81, 2), c2=False)
        rows = t.evaluate_many([toddler, dict(toddler, weight=500), heavy, dict(toddler, c1=3)])
        self.assertEqual([r.status for r in rows],
                         ["CAREPATH_OK", "CAREPATH_ERROR_INVALID_PATIENT", "CAREPATH_OK", "CAREPATH_ERROR_INVALID_PATIENT"])
        for row, patient in ((rows[0], TODDLER), (rows[2], dict(TODDLER, weight="40.5 kg", c2=False))):
            one = t.evaluate(patient)
            self.assertEqual(list(row.fired), one.fired)
            self.assertEqual(row.in_population, one.in_population)
        self.assertEqual(rows[1].fired, ())
        self.assertEqual(t.evaluate_many([]), [])

    def test_json_text_patient(self):
        r = table("dosing").evaluate(json.dumps(TODDLER))
        self.assertEqual(r.json["protocol"]["name"], "dosing")

    def test_invalid_patient_details(self):
        patient = dict(TODDLER, weight="500 kg", c1=3, colour="red")
        with self.assertRaises(carepath.InvalidPatientError) as cm:
            table("dosing").evaluate(patient)
        e = cm.exception
        self.assertEqual(e.code, "CAREPATH_ERROR_INVALID_PATIENT")
        by_input = {d.input: d for d in e.details}
        self.assertEqual(set(by_input), {"weight", "c1", "colour"})
        self.assertEqual(by_input["weight"].problem, "OUT_OF_RANGE")
        self.assertEqual(by_input["weight"].expected, "2 kg .. 150 kg")
        self.assertEqual(by_input["weight"].found, "500 kg")
        self.assertEqual(by_input["c1"].problem, "WRONG_TYPE")
        self.assertEqual(by_input["colour"].problem, "UNKNOWN_INPUT")
        self.assertIn("weight", str(e))

    def test_malformed_patient(self):
        with self.assertRaises(carepath.MalformedPatientError):
            table("dosing").evaluate("[1, 2]")

    def test_evaluation_errors(self):
        t = table("errors", allow_unverified=True)
        with self.assertRaises(carepath.UndefinedAmountError):
            t.evaluate({"weight": "20 kg", "route": "needs_alt"})
        with self.assertRaises(carepath.CarepathArithmeticError):
            t.evaluate({"weight": "150 kg", "route": "huge"})

    def test_table_outlives_nothing_else(self):
        # Results are plain Python objects: usable after the table is gone.
        t = table("dosing")
        r = t.evaluate(TODDLER)
        del t
        self.assertEqual(r.actions[0].name, "child_care")


class Conformance(unittest.TestCase):
    """The conformance suite from Python (conformance/conformance.py)."""

    def test_suite(self):
        with tempfile.TemporaryFile("w+") as out:
            failures = conformance.run("check", TABLES, conformance.case_files([]), out=out)
            out.seek(0)
            report = out.read()
        self.assertEqual(failures, 0, report)
        self.assertRegex(report, r"\b[1-9]\d* passed, 0 failed")

    def test_a_wrong_expectation_fails(self):
        with open(os.path.join(CONFORMANCE, "cases", "dosing.json"), encoding="utf-8") as f:
            doc = json.load(f)
        doc["cases"] = doc["cases"][:1]
        doc["cases"][0]["expect"]["actions"][6]["amount"] = "14001/3"
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(doc, f)
        try:
            with tempfile.TemporaryFile("w+") as out:
                self.assertEqual(conformance.run("check", TABLES, [f.name], out=out), 1)
        finally:
            os.unlink(f.name)


if __name__ == "__main__":
    unittest.main()
