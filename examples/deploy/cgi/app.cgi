#!/bin/sh
# A CGI program: a small shell wrapper, so that the web server needs no node on its PATH.
# Install it executable (chmod 755) in the server's CGI folder and replace:
#   {{NODE}}        the node binary, e.g. /usr/bin/node
#   {{CGI_MODULE}}  the app's CGI entry file (one that calls runCgi(app)), e.g. /srv/app/dist/cgi.js
# The same file runs from a shell: app.cgi -get name=Ada (one request from its arguments).
exec {{NODE}} {{CGI_MODULE}} "$@"
