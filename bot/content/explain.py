"""What staff see of a match: both opinions, the phrasings behind them, the near miss."""

from __future__ import annotations

from bot.content.matching import Decision, Outcome


def explain(decision: Decision) -> dict[str, object]:
    """The parts of a decision for `ask --json` and `classify`, beside the reply's own fields.

    On a fallback the best in-scope candidate is still named (as `candidate`, never as
    `intent`), so a near miss can be seen and fixed with an example.
    """
    acted_on = decision.options[0] if decision.options else decision.best
    parts: dict[str, object] = {}
    if acted_on is not None:
        parts.update(
            lexical=round(acted_on.lexical, 1),
            semantic=round(acted_on.semantic, 1),
            semantic_example=acted_on.semantic_example,
            sentence=acted_on.sentence,
        )
    if decision.outcome is Outcome.FALLBACK and decision.best is not None:
        parts["candidate"] = {
            "intent": decision.best.intent.id,
            "score": round(decision.best.score, 1),
        }
    if decision.outcome is Outcome.DID_YOU_MEAN:
        parts["options"] = [
            {"intent": c.intent.id, "score": round(c.score, 1)} for c in decision.options
        ]
    if decision.out_of_scope is not None:
        parts["out_of_scope"] = {
            "score": round(decision.out_of_scope.score, 1),
            "example": decision.out_of_scope.example,
        }
    return parts
