-- Benchmark comparator only (bench/run.sh): the SMTP reply class as a Lua
-- post-dissector, the way users write one instead of a C plugin. It reads
-- Wireshark's own smtp.response.code per frame and adds luasmtp.code and
-- luasmtp.class (2..5) for every reply line. Not part of mailx.
local p = Proto("luasmtp", "Lua SMTP class (mailx benchmark comparator)")
local f_code = ProtoField.uint16("luasmtp.code", "Reply code", base.DEC)
local f_class = ProtoField.uint8("luasmtp.class", "Class", base.DEC)
p.fields = { f_code, f_class }

local smtp_code = Field.new("smtp.response.code")

function p.dissector(tvb, pinfo, tree)
    local codes = { smtp_code() }
    if #codes == 0 then
        return
    end
    local t = tree:add(p)
    for _, c in ipairs(codes) do
        local v = c.value
        t:add(f_code, v):set_generated()
        t:add(f_class, math.floor(v / 100)):set_generated()
    end
end

register_postdissector(p)
