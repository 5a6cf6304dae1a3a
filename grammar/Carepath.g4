// The carepath protocol language. docs/language.md is the reference; this
// grammar is its syntax. The parser is generated at build time (never
// committed); compiler/parse/ is the only code that sees its types.
grammar Carepath;

// ---------------------------------------------------------------- files

file
    : header? decl* EOF
    ;

header
    : PROTOCOL name=ident (VERSION version=STRING)? LBRACE headerItem* RBRACE  # protocolHeader
    | MODULE qualifiedName                                                    # moduleHeader
    ;

headerItem
    : TITLE STRING                          # titleItem
    | POPULATION expr citations?            # populationItem
    | DOSING what=IDENT ASSIGN ident        # dosingWeightItem
    | FACT ident ASSIGN literal STRING? citations?   # factItem
    ;

decl
    : useDecl
    | sourceDecl
    | dimensionDecl
    | unitDecl
    | substanceDecl
    | inputDecl
    | eventDecl
    | defineDecl
    | drugDecl
    | pathwayDecl
    | tableDecl
    | verifyDecl
    | exampleDecl
    | assumeDecl
    | codeDecl
    ;

useDecl
    : USE qualifiedName (DOT LBRACE ident (COMMA ident)* RBRACE)?
    ;

sourceDecl
    : SOURCE ident STRING
    ;

// `dimension mass`; `dimension dose_rate = mass / time`
dimensionDecl
    : DIMENSION IDENT (ASSIGN dimExpr)?
    ;

// `unit g : mass` declares the base unit of a dimension;
// `unit mg = 1/1000 g` (or `= 0.001 g`) a scaled one; `offset` makes it
// affine (`unit degC = 1 K offset -273.15`); `ucum "ug"` gives its UCUM code.
unitDecl
    : UNIT IDENT COLON IDENT ucumCode?                                          # baseUnitDecl
    | UNIT IDENT ASSIGN number (SLASH number)? unitExpr unitOffset? ucumCode?   # scaledUnitDecl
    ;

unitOffset
    : OFFSET MINUS? number (SLASH number)?
    ;

ucumCode
    : UCUM STRING
    ;

// `substance glucose "D-glucose" [R] { 1 mol = 180.156 g }`: exact
// conversions between dimensions that hold for this substance only.
substanceDecl
    : SUBSTANCE IDENT STRING? citations? LBRACE substanceRatio* RBRACE
    ;

substanceRatio
    : lhs=number lunit=unitExpr ASSIGN rhs=number runit=unitExpr citations?
    ;

inputDecl
    : INPUT ident COLON OPTIONAL? typeExpr (IN range)? STRING? unspecifiedMark? citations?
    ;

// `event presentation "when the child presented"`: a named event of the
// patient's course. The record gives the time elapsed since it (an optional
// duration: missing means it has not happened); in an expression the
// event's name is that elapsed time (docs/language.md, "Events and time").
eventDecl
    : EVENT ident STRING? citations?
    ;

// `assume weight_for_age: CONDITION "note" [WHO]`: a population
// assumption, restricting which patients exist (docs/language.md, "assume").
// Sema requires a citation or `unspecified "why"`.
assumeDecl
    : ASSUME ident COLON expr STRING? unspecifiedMark? citations?
    ;

// `code input weight = loinc "29463-7" "Body weight" [R]`: a terminology
// code for an input, an enum member (`code member consciousness.coma`), a
// drug, a route or an action; `= unspecified "why"` when none is known
// (docs/language.md, "Terminology codes"). The system is a name sema
// resolves (snomed, loinc, rxnorm, atc), so a misspelt one gets a located
// error with a suggestion instead of a syntax error.
codeDecl
    : CODE kind=(INPUT | MEMBER | DRUG | ROUTE | ACTION) target=qualifiedName ASSIGN
          ( system=IDENT code=STRING display=STRING? | unspecifiedMark ) citations?
    ;

defineDecl
    : DEFINE ident ASSIGN expr STRING? citations?
    ;

drugDecl
    : DRUG ident STRING? citations? LBRACE drugItem* RBRACE
    ;

// `contraindicated when COND`: COND reads the inputs of the protocol that
// gives the drug, by name (docs/language.md, "drug").
drugItem
    : LIMIT expr basis (ROUTE route=ident)? citations?   # limitItem
    | ROUTE ident                           # routeItem
    | CONTRAINDICATED WHEN expr STRING? citations?   # contraindicationItem
    ;

// `first`: ordered stages, the first tier whose guard holds is the one
// active (ir::Protocol::tierGuard); without it, tiers are `unique`.
// `course` makes the pathway persistent (docs/semantics.md, "The course"):
// once entered, a patient stays on it until one of its exits holds.
pathwayDecl
    : PATHWAY ident (FOR expr)? ordered=FIRST? courseClause? STRING? citations? LBRACE tierDecl* RBRACE
    ;

courseClause
    : COURSE exitClause*
    ;

// `exit resolved when C`: a named way off a course pathway.
exitClause
    : EXIT ident WHEN expr
    ;

// `responded when` / `completed when` are a course tier's transitions out of
// `on`, besides `failed when`.
tierDecl
    : TIER ident (AFTER ident)? WHEN expr (RESPONDED WHEN responded=expr)? (FAILED WHEN failed=expr)?
          (COMPLETED WHEN completed=expr)? citations? body
    ;

tableDecl
    : TABLE ident HIT hitPolicy COMPLETE? tableOutputs? STRING? citations? LBRACE ruleDecl* RBRACE
    ;

// DMN's hit policies; `collect` may aggregate its rules' outputs.
hitPolicy
    : UNIQUE | FIRST | PRIORITY | ANY
    | COLLECT aggregation=(SUM | MIN | MAX | COUNT)?
    | RULE ORDER
    | OUTPUT ORDER
    ;

// `outputs (rate : integer, tier : enum {bronze, gold})`: the typed values
// a table decides, besides its actions.
tableOutputs
    : OUTPUTS LPAREN outputDecl (COMMA outputDecl)* RPAREN
    ;

outputDecl
    : ident COLON typeExpr
    ;

ruleDecl
    : RULE ident (PRIORITY INT)? WHEN expr citations? ARROW ruleBody
    ;

// `-> tier = gold, points = 3 { do x }`: outputs first, then actions.
ruleBody
    : outputAssign (COMMA outputAssign)* (body | bodyItem)?
    | body
    | bodyItem
    ;

outputAssign
    : ident ASSIGN expr
    ;

body
    : LBRACE bodyItem* RBRACE
    ;

// An action, possibly withheld (`unless C`: not offered when C may hold), or
// `one of { ... | ... }`: alternatives for the clinician to choose from, each
// one or more actions; an alternative's `unless` withholds all of it.
bodyItem
    : action (UNLESS unlessCond=expr)?                                   # plainItem
    | ONE OF LBRACE alternative (PIPE alternative)* RBRACE                # choiceItem
    ;

alternative
    : action+ (UNLESS unlessCond=expr)?
    ;

// ---------------------------------------------------------------- actions

// `for 5 days then taper over 2 weeks .. 3 weeks`: the full amount for the
// `for` span, then a fall to none over the taper's (docs/language.md,
// "Tapers"); `taper over A .. B` alone: the whole course tapers. `over X`:
// the infusion time; `over X .. Y` a range of them (docs/language.md,
// "Infusion rates").
action
    : GIVE drug=ident DOSE doseValue basis? (MAX cap=expr capBasis=basis?)? (ROUTE route=ident)? regimen*
          (FOR duration=range (THEN TAPER OVER taper=range)? | TAPER OVER taper=range)?
          (OVER over=expr (DOTDOT overHigh=additive)?)? STRING? citations?  # giveAction
    | kind=(DO | ORDER | CONSIDER | MONITOR) ident STRING? timing? citations?  # plainAction
    | unspecifiedMark citations?                                          # unspecifiedAction
    ;

// `dose A .. B`: a regimen given as a range (`30 mg/kg * weight .. 50 mg/kg
// * weight per day`); the ends are additive expressions, as in a range.
doseValue
    : expr (DOTDOT high=additive)?
    | unspecifiedMark
    ;

// How a dose amount is counted: per single dose, per time unit (`per day`),
// for the whole course (`total`), or as a rate (`rate`: an amount per time
// at every instant: a continuous infusion, or a limit on infusion rates).
basis
    : PER DOSE          # perDoseBasis
    | PER IDENT         # perTimeBasis
    | PER COURSE        # perCourseBasis
    | TOTAL             # totalBasis
    | RATE              # rateBasis
    ;

// How a give is spread over doses (docs/language.md, "Regimens"). Any
// order; sema refuses a clause given twice or two that contradict.
regimen
    : EVERY interval=expr                           # everyRegimen
    | DIVIDED INTO count=INT DOSES                  # dividedRegimen
    | ONCE                                          # onceRegimen
    | REPEAT (ONCE | count=INT TIMES) AFTER interval=expr  # repeatRegimen
    | UP TO count=INT DOSES                         # upToRegimen
    ;

// `within 24 h of presentation`, `at 4 weeks .. 6 weeks after first_pulse`:
// a time relative to a named event.
timing
    : AT range (AFTER anchor=ident)?     # atTiming
    | WITHIN expr (OF anchor=ident)?     # withinTiming
    | OVER expr (DOTDOT high=additive)?  # overTiming
    ;

unspecifiedMark
    : UNSPECIFIED STRING
    ;

// ---------------------------------------------------------------- verify / examples

verifyDecl
    : VERIFY LBRACE property* RBRACE
    ;

// The action properties (`reaches give D`, `never give D when C`, `always
// dose(D) <= Q`) quantify over every tier and rule that does the action, so
// one written later is covered without naming it. Each keyword has one
// alternative and chooses after it, so a syntax error right after the
// keyword lists what may follow it.
property
    : EVERY population=expr REACHES (actionRef | qualifiedName) citations? STRING?   # reachesProperty
    | ALWAYS ( DOSE LPAREN ident RPAREN LE bound=expr basis? (WHEN cond=expr)? citations?
             | assertion=expr ) STRING?                                               # alwaysProperty
    | NEVER ( actionRef (WHEN cond=expr)? citations?
            | assertion=expr ) STRING?                                                # neverProperty
    ;

actionRef
    : kind=(GIVE | DO | ORDER | CONSIDER | MONITOR) ident
    ;

exampleDecl
    : EXAMPLE name=STRING (LIKE base=STRING)? LBRACE exampleItem* RBRACE
    ;

exampleItem
    : GIVEN given (COMMA given)*            # givenItem
    | EXPECT expectation                    # expectItem
    ;

// `given crp = missing` makes an optional input missing again after
// `like` inherited a value; before givenValue, which would read `missing`
// as a name.
given
    : ident ASSIGN MISSING                  # givenMissing
    | ident ASSIGN expr                     # givenValue
    | NOT? ident                            # givenFlag
    ;

expectation
    : OUTSIDE POPULATION                                # expectOutside
    | NOT? qualifiedName                                # expectFired
    | NOT? kind=(DO | ORDER | CONSIDER | MONITOR | GIVE) ident  # expectAction
    | GIVE? ident DOSE EQ expr (DOTDOT high=additive)? basis?  # expectDose
    | qualifiedName EQ expr                             # expectOutput
    ;

// ---------------------------------------------------------------- types

typeExpr
    : BOOL                                  # boolType
    | INTEGER                               # integerType
    | NUMBER                                # numberType
    | STRING_TYPE                           # stringType
    | ENUM LBRACE ident (COMMA ident)* COMMA? RBRACE  # enumType
    | dimExpr (OF substance=IDENT)?         # quantityType
    ;

dimExpr
    : IDENT ((STAR | SLASH) IDENT)*
    ;

// ---------------------------------------------------------------- expressions

expr
    : orExpr
    ;

orExpr
    : andExpr (OR andExpr)*
    ;

andExpr
    : notExpr (AND notExpr)*
    ;

notExpr
    : NOT notExpr                           # negation
    | comparison                            # notPassThrough
    ;

// One alternative with the operator after the left operand, so that the
// parser decides with one token of lookahead (and reports errors where
// they are) instead of scanning the whole left operand first.
comparison
    : lhs=additive ( op=(EQ | NE | LT | LE | GT | GE) rhs=additive
                   | NOT? IN (range | set) )?
    ;

// `lo .. hi` includes both ends; `lo ..< hi` excludes hi (for bands that
// meet: `age in 1 year ..< 5 years`, then `age in 5 years ..< 12 years`).
range
    : lo=additive (DOTDOT | halfOpen=DOTDOTLT) hi=additive
    ;

set
    : LBRACE additive (COMMA additive)* RBRACE
    ;

additive
    : multiplicative (op+=(PLUS | MINUS) multiplicative)*
    ;

multiplicative
    : unary (op+=(STAR | SLASH) unary)*
    ;

unary
    : MINUS unary                           # negate
    | primary                               # unaryPassThrough
    ;

primary
    : literal                                           # literalPrimary
    | fn=(MIN | MAX) LPAREN expr (COMMA expr)+ RPAREN   # minMaxCall
    | KNOWN LPAREN expr RPAREN                          # knownCall
    | IF cond=expr THEN then=expr ELSE otherwise=expr   # ifExpr
    | counting k=number OF LBRACE expr (COMMA expr)* COMMA? RBRACE  # countExpr
    | qualifiedName                                     # namePrimary
    | LPAREN expr RPAREN                                # parenPrimary
    ;

// `at least 4 of {...}`; `at` alone starts an action's timing, so the
// parser decides on the second word.
counting
    : AT LEAST
    | AT MOST
    | EXACTLY
    ;

literal
    : number unitExpr?                      # quantityLiteral
    | TRUE                                  # trueLiteral
    | FALSE                                 # falseLiteral
    | STRING                                # stringLiteral
    ;

number
    : INT
    | DECIMAL
    ;

// Units after a number are greedy: `30 mg/kg * weight` is (30 mg/kg) * weight.
// Write `(1 g) / weight` to divide a quantity by an input.
unitExpr
    : unitAtom (SLASH unitAtom)*
    ;

unitAtom
    : IDENT
    | PERCENT
    ;

qualifiedName
    : ident (DOT ident)*
    ;

// A name that is declared or referenced. Besides identifiers, the words
// below are keywords only where the grammar expects them and names
// everywhere else (docs/language.md, "Reserved words"): no rule lets a name
// stand where one of them starts an optional continuation, so reading them
// as names is never ambiguous. Add a new contextual keyword here and
// nowhere else: the syntax-error messages read this rule
// (parse::isNameToken in parse/SyntaxErrors.h).
ident
    : IDENT
    | AFTER | AT | ANY | COLLECT | COMPLETE | COURSE | DOSE | DOSING | FACT | FAILED | FIRST
    | LIMIT | MAX | MIN | ORDER | OUTSIDE | OVER | PER | POPULATION | PRIORITY | ROUTE
    | SOURCE | TITLE | TOTAL | UNIQUE | VERSION | WITHIN
    | EVENT | EXIT | RESPONDED | COMPLETED
    | EXACTLY | KNOWN | LEAST | MISSING | MOST | OF | OPTIONAL | COUNT | OUTPUT | OUTPUTS | SUM | NUMBER | STRING_TYPE
    | ONE | UNLESS | CONTRAINDICATED | CODE | MEMBER | ACTION
    | DIVIDED | DOSES | INTO | ONCE | REPEAT | TIMES | TO | UP | RATE | TAPER
    ;

citations
    : LBRACK ident (COMMA ident)* RBRACK
    ;

// ---------------------------------------------------------------- lexer

AFTER: 'after';
ACTION: 'action';
ALWAYS: 'always';
AND: 'and';
ASSUME: 'assume';
ANY: 'any';
AT: 'at';
BOOL: 'bool';
CODE: 'code';
COLLECT: 'collect';
COMPLETE: 'complete';
COMPLETED: 'completed';
CONSIDER: 'consider';
CONTRAINDICATED: 'contraindicated';
COUNT: 'count';
COURSE: 'course';
DEFINE: 'define';
DIMENSION: 'dimension';
DIVIDED: 'divided';
DO: 'do';
DOSE: 'dose';
DOSES: 'doses';
DOSING: 'dosing';
DRUG: 'drug';
ELSE: 'else';
ENUM: 'enum';
EVENT: 'event';
EVERY: 'every';
EXACTLY: 'exactly';
EXAMPLE: 'example';
EXIT: 'exit';
EXPECT: 'expect';
FACT: 'fact';
FAILED: 'failed';
FALSE: 'false';
FIRST: 'first';
FOR: 'for';
GIVE: 'give';
GIVEN: 'given';
HIT: 'hit';
IF: 'if';
IN: 'in';
INPUT: 'input';
INTEGER: 'integer';
INTO: 'into';
KNOWN: 'known';
LEAST: 'least';
LIKE: 'like';
LIMIT: 'limit';
MAX: 'max';
MEMBER: 'member';
MIN: 'min';
MISSING: 'missing';
MODULE: 'module';
MONITOR: 'monitor';
MOST: 'most';
NEVER: 'never';
NOT: 'not';
NUMBER: 'number';
OF: 'of';
OFFSET: 'offset';
ONE: 'one';
ONCE: 'once';
OPTIONAL: 'optional';
OR: 'or';
ORDER: 'order';
OUTPUT: 'output';
OUTPUTS: 'outputs';
OUTSIDE: 'outside';
OVER: 'over';
PATHWAY: 'pathway';
PER: 'per';
POPULATION: 'population';
PRIORITY: 'priority';
PROTOCOL: 'protocol';
REACHES: 'reaches';
RATE: 'rate';
RESPONDED: 'responded';
REPEAT: 'repeat';
ROUTE: 'route';
RULE: 'rule';
SOURCE: 'source';
STRING_TYPE: 'string';
SUBSTANCE: 'substance';
SUM: 'sum';
TABLE: 'table';
TAPER: 'taper';
THEN: 'then';
TIER: 'tier';
TIMES: 'times';
TITLE: 'title';
TO: 'to';
TOTAL: 'total';
TRUE: 'true';
UCUM: 'ucum';
UNIQUE: 'unique';
UNIT: 'unit';
UNLESS: 'unless';
UNSPECIFIED: 'unspecified';
UP: 'up';
USE: 'use';
VERIFY: 'verify';
VERSION: 'version';
WHEN: 'when';
WITHIN: 'within';

ARROW: '->';
DOTDOTLT: '..<';
DOTDOT: '..';
EQ: '==';
NE: '!=';
LE: '<=';
GE: '>=';
LT: '<';
GT: '>';
ASSIGN: '=';
PLUS: '+';
MINUS: '-';
STAR: '*';
SLASH: '/';
PERCENT: '%';
LPAREN: '(';
RPAREN: ')';
LBRACE: '{';
RBRACE: '}';
LBRACK: '[';
RBRACK: ']';
COMMA: ',';
PIPE: '|';
COLON: ':';
DOT: '.';

DECIMAL: [0-9]+ '.' [0-9]+;
INT: [0-9]+;
IDENT: [a-zA-Z_] [a-zA-Z_0-9]*;
STRING: '"' (~["\\\r\n] | '\\' ["\\nt])* '"';

LINE_COMMENT: '//' ~[\r\n]* -> skip;
BLOCK_COMMENT: '/*' .*? '*/' -> skip;
UNTERMINATED_COMMENT: '/*' ( ~[*] | '*'+ ~[*/] )* '*'* EOF;
WS: [ \t\r\n]+ -> skip;

// Anything else is one bad character; the parser reports it in our words.
UNTERMINATED_STRING: '"' (~["\\\r\n] | '\\' .)*;
ERROR_CHAR: .;
