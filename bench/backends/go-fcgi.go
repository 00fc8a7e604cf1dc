// The benchmark app on Go's net/http/fcgi, a peer. usage: go-fcgi PORT|SOCKET_PATH
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/fcgi"
	"os"
	"regexp"
	"strconv"
	"strings"
)

func main() {
	address := os.Args[1]
	var listener net.Listener
	var err error
	if regexp.MustCompile(`^\d+$`).MatchString(address) {
		listener, err = net.Listen("tcp", "127.0.0.1:"+address)
	} else {
		os.Remove(address)
		listener, err = net.Listen("unix", address)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	chunk := []byte(strings.Repeat("x", 64*1024))
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		switch {
		case strings.HasSuffix(r.URL.Path, "/download"):
			remaining, _ := strconv.Atoi(r.URL.Query().Get("size"))
			for remaining > 0 {
				piece := chunk
				if remaining < len(chunk) {
					piece = chunk[:remaining]
				}
				remaining -= len(piece)
				w.Write(piece)
			}
		case strings.HasSuffix(r.URL.Path, "/upload"):
			size, _ := io.Copy(io.Discard, r.Body)
			fmt.Fprintf(w, "%d\n", size)
		default:
			io.WriteString(w, "Hello, world!\n")
		}
	})
	fcgi.Serve(listener, handler)
}
