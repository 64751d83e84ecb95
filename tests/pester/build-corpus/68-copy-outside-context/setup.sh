# The file exists next to the context, so only the refusal can make the build fail.
echo outside > ../outside.txt
