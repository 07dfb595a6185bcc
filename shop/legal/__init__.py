"""What the law asks of the marketplace itself: the operator's identity, its rules,
complaints (Decree 52/2013 as amended by Decree 85/2021) and personal-data consent
(Law 91/2025/QH15)."""
