from enum import StrEnum


class ApiScopeEnum(StrEnum):
    ADMIN = "admin"
    PAUSE = "pause"
    READ = "read"
    TELEMETRY = "telemetry"
    VENDOR = "vendor"
    WRITE = "write"

    def __str__(self) -> str:
        return str(self.value)
