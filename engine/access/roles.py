"""The roles a user can hold in a unit, and the procedure fields. Lanes of a BPMN name roles."""

from __future__ import annotations

ROLE_LABELS: dict[str, tuple[str, str]] = {
    "reception": ("Tiếp nhận và trả kết quả (Một cửa)", "Reception and result return"),
    "civil_status": ("Công chức Tư pháp – Hộ tịch", "Civil status officer"),
    "commune_police": ("Công an cấp xã", "Commune police"),
    "social_insurance": ("Cán bộ Bảo hiểm xã hội", "Social insurance officer"),
    "labour_social": (
        "Công chức Văn hóa – Xã hội (Lao động, chính sách)",
        "Labour and social officer",
    ),
    "leader": ("Lãnh đạo", "Leader"),
    "designer": ("Thiết kế quy trình", "Process designer"),
    "admin": ("Quản trị hệ thống", "Administrator"),
    "external_system": (
        "Hệ thống liên thông (gửi thông điệp)",
        "External system (sends messages)",
    ),
}

LANE_ROLES = frozenset(
    {
        "reception",
        "civil_status",
        "commune_police",
        "social_insurance",
        "labour_social",
        "leader",
    }
)

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "civil_status": ("Hộ tịch", "Civil status"),
    "residence": ("Cư trú", "Residence"),
    "health_insurance": ("Bảo hiểm y tế", "Health insurance"),
    "labour_social": ("Lao động – Thương binh và Xã hội", "Labour and social affairs"),
    "certification": ("Chứng thực", "Certification"),
    "land": ("Đất đai", "Land"),
}

UNIT_KINDS = frozenset({"province", "commune", "ward"})
