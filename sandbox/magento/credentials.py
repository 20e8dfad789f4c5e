"""The sandbox's fixed credentials: public test values, never used outside the sandbox."""

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin123"
#: Integration access token, accepted as `Authorization: Bearer`.
INTEGRATION_TOKEN = "sandbox-integration-token"
#: The same integration's OAuth 1.0a keys (HMAC-SHA256 or HMAC-SHA1 signatures).
OAUTH_CONSUMER_KEY = "sandbox-consumer-key"
OAUTH_CONSUMER_SECRET = "sandbox-consumer-secret"
OAUTH_ACCESS_TOKEN = "sandbox-access-token"
OAUTH_ACCESS_TOKEN_SECRET = "sandbox-access-token-secret"
