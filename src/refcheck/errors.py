"""The exception tree, drawn once.

    RefcheckError
    ├── InputError              a file cannot be read at all (exit 2)
    ├── ConfigError             a config file or option is wrong (exit 2)
    └── CrossrefError           Crossref could not answer; the reference stays unverified
        ├── CrossrefUnavailable     network fault, timeout, 5xx, 429 after the retries ran out
        ├── CrossrefBadResponse     an answer that is not JSON, or lacks the fields it must have
        └── RegistryError           another registry (DataCite) could not answer, or the DOI's
                                    agency is one refcheck does not ask

CrossrefError is the base of every "a source could not answer" (its name predates the other
sources); whatever raises one leaves the reference unverified, never wrong.

A 404 for a DOI is not an error: it is an answer ("no such work") and comes back as ``None``.
"""

from __future__ import annotations


class RefcheckError(Exception):
    """Base of every error refcheck raises on purpose."""


class InputError(RefcheckError):
    """A file cannot be read: missing, binary, too large, or in an unknown encoding."""


class ConfigError(RefcheckError):
    """A config file or an option is wrong; the message names the key."""


class CrossrefError(RefcheckError):
    """Crossref could not give an answer; whatever asked stays unverified."""


class CrossrefUnavailable(CrossrefError):
    """The network failed, timed out, or Crossref kept refusing (5xx, 429)."""


class CrossrefBadResponse(CrossrefError):
    """Crossref answered with something that is not a works record or list."""


class RegistryError(CrossrefError):
    """A registry other than Crossref could not answer, or is not asked: unverified."""
