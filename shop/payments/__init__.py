"""Payments: cash on delivery, VietQR bank transfer, and card through Stripe."""
