global using StockGod.Trading.Brokerage;
global using StockGod.Trading.Calendar;
global using StockGod.Trading.Market;
