#!/bin/sh
# A CGI program: a small shell wrapper, so that the web server needs no node on its PATH.
# Install it executable (chmod 755) in the server's CGI folder and replace:
#   {{NODE}}           the node binary, e.g. /usr/bin/node
#   {{CGI_MODULE}}     the app's CGI entry file (one that calls runCgi(app)), e.g. /srv/app/dist/cgi.js
#   {{COMPILE_CACHE}}  a directory for Node's compile cache, e.g. /var/cache/netcgi/app: Node 22.1
#                      and later keep the compiled code of the app and of netcgi there between
#                      requests (1–2 ms of each; Node 20 ignores it). Node makes the directory. It
#                      must be writable by the web server's user and by nobody else: what Node reads
#                      from it runs. To go without, delete the two lines below.
# The same file runs from a shell: app.cgi -get name=Ada (one request from its arguments).
NODE_COMPILE_CACHE={{COMPILE_CACHE}}
export NODE_COMPILE_CACHE
exec {{NODE}} {{CGI_MODULE}} "$@"
