"""查询码: the code printed once, on an application's receipt (申报回执), that opens the public
progress lookup together with the reference number; and the longer one shown once to whoever files an
objection online (网上异议), that opens the written reply with the objection's number. Both are kept the
same way.

The platform keeps no copy of a code it can read back: only a keyed digest (HMAC-SHA256 under the
secret key, bound to the application's reference), so that neither a copy of the database nor an
administrator learns a code. The one place a code is written is the receipt's PDF, stored as issued
(reviews.IssuedDocument) and downloadable by those who may see the application. A new submission
(after 退回修改) gets a new receipt with a new code; the one before stops working.
"""

import hmac
import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I to misread
LENGTH = 8  # 32⁸ ≈ 10¹² codes
OBJECTION_LENGTH = 12  # 32¹² ≈ 10¹⁸: an objection's code is shown on the screen, not printed on a receipt
SALT = "bases.lookup_code"


def new_code(length: int = LENGTH) -> str:
    """A random code of `length` characters of ALPHABET (no 0/O or 1/I to misread)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalised(code: str) -> str:
    """What a person types, as printed or not: spaces and hyphens out, capitals."""
    return "".join(c for c in str(code or "") if c not in " -\u3000").upper()


def digest(reference: str, code: str, *, secret: str | None = None) -> str:
    return salted_hmac(SALT, f"{reference}:{normalised(code)}", secret=secret, algorithm="sha256").hexdigest()


def matches(reference: str, stored: str, code: str, *, length: int = LENGTH) -> bool:
    """Whether `code` (of `length` characters) is the one whose digest is stored, under the secret key or
    one it replaced (SECRET_KEY_FALLBACKS), compared in constant time."""
    if not stored or len(normalised(code)) != length:
        return False
    secrets_in_use = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(hmac.compare_digest(digest(reference, code, secret=s), stored) for s in secrets_in_use)


def shown(code: str) -> str:
    """As printed: two groups of four (ABCD 2345)."""
    return f"{code[:4]} {code[4:]}"
