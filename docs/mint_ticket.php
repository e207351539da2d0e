<?php
// Mint a redcap-resume participant ticket (HS256 JWT) with PHP's standard library only.
// From a shell: REDCAP_RESUME_TICKET_SECRET_FILE=/path/to/ticket_secret php mint_ticket.php 1001
function b64url(string $data): string {
    return rtrim(strtr(base64_encode($data), '+/', '-_'), '=');
}

// The shared secret, from the file named by REDCAP_RESUME_TICKET_SECRET_FILE, else from the
// variable REDCAP_RESUME_TICKET_SECRET.
function ticket_secret(): string {
    $file = getenv('REDCAP_RESUME_TICKET_SECRET_FILE');
    $secret = $file ? file_get_contents($file) : getenv('REDCAP_RESUME_TICKET_SECRET');
    if ($secret === false) {
        throw new RuntimeException('set REDCAP_RESUME_TICKET_SECRET_FILE or REDCAP_RESUME_TICKET_SECRET');
    }
    return $secret;
}

function mint_ticket(string $recordId, string $secret, int $ttlSeconds = 300): string {
    $now = time();
    $header = b64url(json_encode(['alg' => 'HS256', 'typ' => 'JWT']));
    $claims = b64url(json_encode([
        'sub' => $recordId, 'aud' => 'redcap-resume', 'iat' => $now, 'exp' => $now + $ttlSeconds,
    ]));
    // The key: the secret's bytes without trailing line breaks (the server's rule; no base64 step).
    $key = rtrim($secret, "\r\n");
    $signature = b64url(hash_hmac('sha256', "$header.$claims", $key, true));
    return "$header.$claims.$signature";
}

if (PHP_SAPI === 'cli' && realpath($argv[0]) === __FILE__) {
    echo mint_ticket($argv[1], ticket_secret()), "\n";
} else {
    // In the portal, after its own sign-in: the widget reads the cookie through the server.
    setcookie('__Host-redcap_resume_ticket', mint_ticket($participantRecordId, ticket_secret()), [
        'expires' => time() + 300, 'path' => '/', 'secure' => true, 'httponly' => true, 'samesite' => 'Strict',
    ]);
}
