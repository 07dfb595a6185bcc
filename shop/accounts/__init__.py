"""The account pages a person uses: sign up, sign in and out, password reset,
/account (profile, consent, complaints) and their personal data (export and
erasure). It sits above the rest because it gathers from every area (a data
export holds carts, orders and producer memberships); shop.auth below holds the
users, roles, passwords and decorators that every area uses."""
