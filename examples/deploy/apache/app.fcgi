#!/bin/sh
# The program mod_fcgid (apache/fcgid.conf) or lighttpd starts: netcgi-fcgi without --listen
# accepts on the socket the server puts on fd 0. Make it executable (chmod 755) and replace:
#   {{NODE}}         the node binary, e.g. /usr/bin/node (the web server's PATH may not have it)
#   {{NETCGI_FCGI}}  netcgi-fcgi's script, e.g. /srv/app/node_modules/@netcgi/connector-fcgi/dist/cli.js
#   {{APP_MODULE}}   the app module, e.g. /srv/app/dist/app.js
exec {{NODE}} {{NETCGI_FCGI}} {{APP_MODULE}}
