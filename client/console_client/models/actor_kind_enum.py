from enum import StrEnum


class ActorKindEnum(StrEnum):
    API_CLIENT = "api_client"
    SUPPORT = "support"
    SYSTEM = "system"
    USER = "user"

    def __str__(self) -> str:
        return str(self.value)
