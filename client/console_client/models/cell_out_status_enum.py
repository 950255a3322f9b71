from enum import StrEnum


class CellOutStatusEnum(StrEnum):
    COMPATIBLE = "compatible"
    INCOMPATIBLE = "incompatible"
    UNTESTED = "untested"

    def __str__(self) -> str:
        return str(self.value)
