package telegram

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"strconv"
	"strings"
	"sync"

	"github.com/buyerguide/bot/conversation"
)

// codec turns button actions into callback data and back. The data names
// the action, its argument, the step and the state version it was drawn
// for, and ends with a MAC over all that and the user's ID: a client that
// edits the data, or replays one user's button as another user, gets a
// button the codec refuses. The key is kept in the database so buttons
// keep working after a restart.
type codec struct {
	key []byte
	// macs reuses HMAC states: every button of every screen is signed.
	// Nil (in tests) makes a new one each time.
	macs *sync.Pool
}

func newCodec(key []byte) codec {
	return codec{key: key, macs: &sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}}
}

// macLen is the MAC length in bytes: 8 bytes (64 bits) make a forgery
// by guessing hopeless while keeping the data under 64 bytes.
const macLen = 8

// macChars is the MAC's length in callback data (unpadded base64).
var macChars = base64.RawURLEncoding.EncodedLen(macLen)

// maxCallbackData is Telegram's limit.
const maxCallbackData = 64

func (c codec) mac(userID int64, body string) string {
	var m hash.Hash
	if c.macs != nil {
		m = c.macs.Get().(hash.Hash)
		m.Reset()
		defer c.macs.Put(m)
	} else {
		m = hmac.New(sha256.New, c.key)
	}
	var buf [sha256.Size]byte
	b := strconv.AppendInt(buf[:0], userID, 10)
	m.Write(append(b, 0))
	m.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(buf[:0])[:macLen])
}

// encode returns the callback data of an action for a user. Data that
// would pass Telegram's 64 bytes (an order button with long draft and
// item IDs) goes without the step: order actions do not check it, and a
// guide action without its step is refused as stale, never misapplied.
func (c codec) encode(userID int64, a *conversation.Action) string {
	version := strconv.FormatInt(a.Version, 36)
	body := string(a.Kind) + "|" + a.Arg + "|" + a.Step + "|" + version
	if len(body)+1+macChars > maxCallbackData {
		body = string(a.Kind) + "|" + a.Arg + "||" + version
	}
	return body + "|" + c.mac(userID, body)
}

// decode checks and reads callback data pressed by a user; ok is false for
// anything not made by encode for this user.
func (c codec) decode(userID int64, data string) (a *conversation.Action, ok bool) {
	i := strings.LastIndexByte(data, '|')
	if i < 0 || len(data) > maxCallbackData {
		return nil, false
	}
	body, sig := data[:i], data[i+1:]
	if !hmac.Equal([]byte(sig), []byte(c.mac(userID, body))) {
		return nil, false
	}
	parts := strings.Split(body, "|")
	if len(parts) != 4 {
		return nil, false
	}
	v, err := strconv.ParseInt(parts[3], 36, 64)
	if err != nil {
		return nil, false
	}
	kind := conversation.ActionKind(parts[0])
	if !kind.Valid() {
		return nil, false
	}
	return &conversation.Action{Kind: kind, Arg: parts[1], Step: parts[2], Version: v}, true
}
