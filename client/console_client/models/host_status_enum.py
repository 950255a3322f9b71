from enum import StrEnum


class HostStatusEnum(StrEnum):
    BOOT_LOOP = "boot_loop"
    CRASHED = "crashed"
    OFFLINE = "offline"
    ONLINE = "online"
    RECOVERING = "recovering"
    SILENT = "silent"

    def __str__(self) -> str:
        return str(self.value)
