# Sourced by the scripts that start a private OpenSSH sshd (tests/ssh/sshd_harness.sh, the
# soak): sshd_private_config DIR prints the sshd_config lines they share, for an sshd run as
# the current user from DIR: its host key DIR/host_ed25519, pid file and authorized_keys
# there, public-key login only, no PAM. The caller adds ListenAddress, limits and the rest.
sshd_private_config() {
  cat <<CFG
HostKey $1/host_ed25519
PidFile $1/sshd.pid
AuthorizedKeysFile $1/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin yes
CFG
}
