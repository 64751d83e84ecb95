set -e
mkdir -p modes/dir
echo s > modes/setuid && chmod 4750 modes/setuid
echo g > modes/setgid && chmod 2755 modes/setgid
echo r > modes/readonly && chmod 0444 modes/readonly
chmod 0710 modes/dir
