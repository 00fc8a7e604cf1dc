<?php
// The benchmark app on PHP-FPM, a peer (the pool sets enable_post_data_reading=Off so that
// php://input streams the body instead of PHP buffering it first).
header('Content-Type: text/plain');
$path = $_SERVER['DOCUMENT_URI'] ?? '';
if (str_ends_with($path, '/download')) {
    $remaining = (int)($_GET['size'] ?? 0);
    $chunk = str_repeat('x', 65536);
    while ($remaining > 0) {
        $piece = $remaining >= 65536 ? $chunk : substr($chunk, 0, $remaining);
        $remaining -= strlen($piece);
        echo $piece;
    }
} elseif (str_ends_with($path, '/upload')) {
    $input = fopen('php://input', 'rb');
    $size = 0;
    while (!feof($input)) $size += strlen(fread($input, 1 << 20));
    echo "$size\n";
} else {
    echo "Hello, world!\n";
}
