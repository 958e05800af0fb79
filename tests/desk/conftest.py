"""The desk's tests reuse the activities area's fixtures (frozen clock, staff, publish, member)."""

from tests.activities.conftest import (  # noqa: F401 - fixtures
    clock,
    member,
    publish,
    secretary,
    staff,
)
