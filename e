Connection reset by 127.1.81.1 port 2222
