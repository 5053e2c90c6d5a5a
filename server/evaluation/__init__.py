"""先锋指数: the yearly star evaluation of vendor party members (浙工商党委〔2013〕35号)."""
