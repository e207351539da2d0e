<?php
// Mint a redcap-resume participant ticket (HS256 JWT) with PHP's standard library only.
function b64url(string $data): string {
    return rtrim(strtr(base64_encode($data), '+/', '-_'), '=');
}

function mint_ticket(string $recordId, string $secret, int $ttlSeconds = 300): string {
    $now = time();
    $header = b64url(json_encode(['alg' => 'HS256', 'typ' => 'JWT']));
    $claims = b64url(json_encode([
        'sub' => $recordId, 'aud' => 'redcap-resume', 'iat' => $now, 'exp' => $now + $ttlSeconds,
    ]));
    // The key is the secret's bytes exactly as configured (no base64 step).
    $signature = b64url(hash_hmac('sha256', "$header.$claims", $secret, true));
    return "$header.$claims.$signature";
}

// In the portal, after its own sign-in: the widget reads the cookie through the server.
setcookie('redcap_resume_ticket', mint_ticket($participantRecordId, getenv('REDCAP_RESUME_TICKET_SECRET')), [
    'expires' => time() + 300, 'path' => '/', 'secure' => true, 'httponly' => true, 'samesite' => 'Strict',
]);
