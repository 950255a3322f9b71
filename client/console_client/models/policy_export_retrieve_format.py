from enum import StrEnum


class PolicyExportRetrieveFormat(StrEnum):
    JSON = "json"
    YAML = "yaml"

    def __str__(self) -> str:
        return str(self.value)
