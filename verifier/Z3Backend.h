// The one place that talks to Z3. Its interface speaks IR only: formulas in,
// verdicts and patients out. One Z3 context per run; each question is asked
// inside push/pop with a resource limit and a timeout, and every Z3 error
// becomes an `unknown` answer here, at the boundary.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/IR.h"
#include "verifier/Verifier.h"

namespace carepath::verifier {

struct Answer {
  enum class Kind { Yes, No, Unknown } kind = Kind::Unknown;
  std::optional<std::vector<ir::Value>> patient;  // the model, with readable values
  std::optional<Rational> observed;                // the requested term in that model
  std::string reason;                              // Unknown: why
  bool reused = false;                             // answered by an earlier model, no new check
};

struct Extremum {
  enum class Kind { Value, Unbounded, Empty, Unknown } kind = Kind::Unknown;
  Rational value;         // Value: the least upper / greatest lower bound
  bool attained = true;   // false when only approached (strict comparisons)
  std::string reason;
};

class Z3Backend {
  struct Impl;

public:
  Z3Backend(const ir::Protocol &protocol, const Options &options);
  ~Z3Backend();
  Z3Backend(const Z3Backend &) = delete;
  Z3Backend &operator=(const Z3Backend &) = delete;

  /// Is `formula` true for every patient in the population? No: the answer
  /// carries a patient where it is false (and `observed` evaluated there).
  Answer holdsForAll(const ir::ExprRef &formula, const ir::ExprRef &observed = nullptr);
  /// Is `formula` true for some patient in the population? Yes: with one.
  Answer holdsForSome(const ir::ExprRef &formula);
  /// Is `formula` true for this one patient of the population (every
  /// input given a value of its type; otherwise Unknown)? Yes: with that
  /// patient. An earlier model of the same patient is reused; else Z3's
  /// rewriter folds the formula and the domain, each input replaced by its
  /// value, and only when it does not fold them to true is the solver
  /// asked (every input pinned; no readable re-ask: nothing is free).
  Answer holdsForSomeAt(const ir::ExprRef &formula, const std::vector<ir::Value> &patient);
  /// From now on, only patients for whom `condition` holds are asked about
  /// (the divisions every later question relies on: docs/verifier.md,
  /// "Division").
  void assume(const ir::ExprRef &condition);
  /// assume(), for a restriction of the population itself (the protocol's
  /// population assumptions): also part of the closure the optimiser
  /// bounds doses over, as the population is. Not part of the course
  /// search (enumerate): a record that violates one still moves its course.
  void restrict(const ir::ExprRef &condition);
  /// Explanations (docs/verifier.md, "Explanations"): when no patient of
  /// the population has `base` and every one of `parts`, the parts that
  /// are needed for that: a minimal subset (dropping any one of them lets
  /// some patient through), found by deletion in index order from the
  /// solver's unsat core over one tracked assumption literal per part. The
  /// subset is the one plain deletion over all the parts finds, whatever
  /// core Z3 returns (a part outside the latest core is dropped without a
  /// check): stable under Z3's seeds. nullopt when some patient has them
  /// all, or the solver cannot tell. `checks` counts the solver calls.
  std::optional<std::vector<size_t>> minimalCore(const ir::ExprRef &base, const std::vector<ir::ExprRef> &parts,
                                                 size_t &checks);
  /// Explanations: `formula` holds for every patient within the input
  /// ranges (and the partial operations assume()d safe) for whom every one
  /// of `hypotheses` holds (the population, each population assumption):
  /// which of them it needs, a minimal subset as minimalCore finds it
  /// (empty: the ranges alone). nullopt when it does not hold even with all
  /// of them, or the solver cannot tell.
  std::optional<std::vector<size_t>> neededFor(const ir::ExprRef &formula, const std::vector<ir::ExprRef> &hypotheses,
                                               size_t &checks);
  /// An enumeration of patients for whom `base` holds (the course search,
  /// verifier/CourseReach.cpp): the caller excludes each answer's class
  /// before asking again. It runs on a solver of its own, in one push/pop
  /// scope: the base asserted once, each exclusion added, Z3 keeping what
  /// it learnt between questions. Each answer is Z3's raw model: no earlier
  /// model is tried and no readable values are asked for (a caller that
  /// prints a patient asks holdsForSome for a readable one). One open at a
  /// time; closing it (destruction) pops its scope.
  class Enumeration {
  public:
    ~Enumeration();
    Enumeration(const Enumeration &) = delete;
    Enumeration &operator=(const Enumeration &) = delete;
    /// A patient for whom the base holds and no exclusion does, or No.
    Answer next();
    /// From now on, only patients for whom `condition` does not hold.
    void exclude(const ir::ExprRef &condition);

  private:
    friend class Z3Backend;
    explicit Enumeration(Impl &m) : m_(m) {}
    Impl &m_;
    bool open_ = false;  // its scope is pushed
    std::string error_;  // Z3 could not take the base or an exclusion: every answer is unknown
  };
  std::unique_ptr<Enumeration> enumerate(const ir::ExprRef &base);
  /// `e`'s nodes are encoded once for the rest of the run, as the
  /// protocol's own are (the backend keeps `e` alive, so no address is
  /// reused): for formulas that many questions share.
  void keep(const ir::ExprRef &e);

  /// Greatest (or least) value of `term` over the population and `condition`.
  Extremum optimum(const ir::ExprRef &condition, const ir::ExprRef &term, bool maximize);

  /// Every check Z3 ran so far, on every solver and optimiser of this
  /// backend: the questions, their readable re-asks, witness
  /// confirmations, explanations and the optimiser's rounds (`--stats`).
  size_t checks() const;
  /// Of the holdsForSomeAt answers, how many Z3's rewriter decided by
  /// folding the ground term to true, without a check (`--stats`).
  size_t groundConfirmations() const;

  // The questions above as SMT-LIB 2 benchmarks for a second solver
  // (`--cross-check`, verifier/CrossCheck.h): Z3's own declarations, ranges,
  // population and goal, printed by Z3, with (check-sat). nullopt, with
  // `why`, when Z3 cannot print one.
  /// holdsForAll (negated: a patient where `formula` does not hold) or holdsForSome.
  std::optional<std::string> benchmark(const ir::ExprRef &formula, bool negated, std::string &why);
  /// A patient with `condition` and `term` known, and with `term` beyond
  /// `bound` (above when maximising; or equal unless `strictly`); without a
  /// bound, any patient with `condition` and `term` known.
  std::optional<std::string> boundBenchmark(const ir::ExprRef &condition, const ir::ExprRef &term,
                                            const std::optional<Rational> &bound, bool maximize, bool strictly,
                                            std::string &why);
  /// Is `term` bounded (above when maximising) over the patients with
  /// `condition`: exists M, for all patients, term <= M. Unsat when unbounded.
  std::optional<std::string> boundedBenchmark(const ir::ExprRef &condition, const ir::ExprRef &term, bool maximize,
                                              std::string &why);

private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace carepath::verifier
