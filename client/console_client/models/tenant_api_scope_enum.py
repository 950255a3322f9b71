from enum import StrEnum


class TenantApiScopeEnum(StrEnum):
    ADMIN = "admin"
    PAUSE = "pause"
    READ = "read"
    WRITE = "write"

    def __str__(self) -> str:
        return str(self.value)
