from enum import StrEnum


class OverridesEnum(StrEnum):
    FREEZE = "freeze"
    WINDOW = "window"

    def __str__(self) -> str:
        return str(self.value)
