set -e
mkdir -p tree/real
echo real > tree/real/file
ln -s real/file tree/link-to-file
ln -s real tree/link-to-dir
ln -s /etc/passwd tree/absolute
