"""How many login attempts the console checks: per address, overall, and per account and address.

Three budgets, kept by the app's rate limiter (in this process, or shared through Redis):

- per client address and overall: a flood of logins is refused before any password is hashed,
  so it cannot take the CPU (or, on SQLite, the write lock) from parents' chats;
- per account *and* address: repeated wrong passwords for one account from one place wait
  longer and longer (a minute, a quarter of an hour, an hour), which slows a guesser down but
  never locks the account: the DPO signing in from the office is not slowed by someone else
  trying their address from elsewhere.

A refused attempt gets the same answer, after the same time, as a wrong password.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.web.ratelimit import RateLimiter

# (failures, within seconds): reaching any of them delays the next try until the oldest expires.
FAILURE_TIERS = ((5, 60.0), (10, 15 * 60.0), (20, 60 * 60.0))
ATTEMPT_WINDOW = 60.0


@dataclass(frozen=True)
class LoginBudgets:
    per_address: int = 20  # attempts a minute from one address: a busy office, not a script
    overall: int = 120  # attempts a minute in all, from every address together


class LoginThrottle:
    def __init__(self, limiter: RateLimiter, budgets: LoginBudgets | None = None) -> None:
        self._limiter = limiter
        self._budgets = budgets or LoginBudgets()

    async def admit(self, login: str, address: str) -> bool:
        """Whether this attempt's password is checked at all; counts it against the budgets."""
        for tier, (failures, window) in enumerate(FAILURE_TIERS):
            key = _failure_key(login, address, tier)
            if await self._limiter.blocked(key, failures, window) is not None:
                return False
        per_address = self._budgets.per_address
        wait = await self._limiter.hit(f"login-address:{address}", per_address, ATTEMPT_WINDOW)
        if wait is not None:
            return False
        wait = await self._limiter.hit("login-all", self._budgets.overall, ATTEMPT_WINDOW)
        return wait is None

    async def failed(self, login: str, address: str) -> bool:
        """Count a wrong password; True when this failure starts a delay (for the audit trail)."""
        delayed = False
        for tier, (failures, window) in enumerate(FAILURE_TIERS):
            await self._limiter.hit(_failure_key(login, address, tier), failures + 1, window)
            key = _failure_key(login, address, tier)
            delayed = delayed or await self._limiter.blocked(key, failures, window) is not None
        return delayed

    async def forgive(self, login: str) -> None:
        """Forget an account's wrong passwords from every address, so its owner can sign in now."""
        for tier in range(len(FAILURE_TIERS)):
            await self._limiter.forget(_failure_key(login, "", tier))


def _failure_key(login: str, address: str, tier: int) -> str:
    return f"login-failures:{tier}:{login or '-'}:{address}"
