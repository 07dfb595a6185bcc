"""A buyer's saved products, back-in-stock e-mails, and the related products block."""
