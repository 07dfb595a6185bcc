"""Product feeds for shopping engines: /feeds/google.xml (Google Merchant Center)
and /feeds/meta.csv (Meta catalogues), of the listed, advertisable products."""
